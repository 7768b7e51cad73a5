package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"ward/internal/bounds"
	"ward/internal/date"
	"ward/internal/onboard"
	"ward/internal/plan"
	"ward/internal/store"
	"ward/internal/workspace"
)

func init() {
	var dir string
	Register(&Command{
		Name:    "init",
		Creates: true,
		Args:    "[-o DIR]",
		Summary: "set up a new organization: asks the applicability questions, the officers, the SOC 2 target and the first systems, writes a workspace folder and applies it",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&dir, "o", "workspace", "the workspace folder to write (must not hold workspace files yet)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 0 {
				return BadInput("init takes no arguments besides -o DIR (got %q)", strings.Join(args, " "))
			}
			return runInit(ctx, env, dir)
		},
	})
}

// initHeader opens the files ward init writes.
const initHeader = "# Written by `ward init`. Edit, then `ward apply -f` this folder.\n"

func runInit(ctx context.Context, env *Env, dir string) error {
	// Refuse early what would refuse late, before any question is asked.
	if files, err := workspaceFiles(dir); err != nil {
		return BadInput("%v", err)
	} else if len(files) > 0 {
		return BadInput("%s already holds workspace files (%s): apply them with 'ward apply -f %s', or choose another folder with -o", dir, strings.Join(files, ", "), dir)
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	p := &prompter{in: bufio.NewScanner(env.Stdin), out: env.Stdout}
	fmt.Fprintf(env.Stdout, "ward init sets up a new compliance program: a few questions, then the workspace folder %s/, applied to %s.\nPress Enter to take the answer in [brackets].\n", dir, redactURL(env.DB))
	a, err := p.answers(date.Today())
	if err != nil {
		return err
	}
	if es := a.Check(); len(es) > 0 {
		return BadInput("the answers have problems; nothing was written:\n%s", es.Error())
	}
	ws := a.Workspace()
	if env.OrgSlug != "" {
		// The files say which organization they are, as apply expects.
		ws.Organization.Slug = env.OrgSlug
	}
	slug := ws.Organization.Slug
	if _, err := s.OrgBySlug(ctx, slug); err == nil {
		return BadInput("%s already holds the organization %s: change it with 'ward apply', or give the new one another name (or --org SLUG); nothing was written", redactURL(env.DB), slug)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := workspace.Write(dir, ws, workspace.WriteOptions{Header: initHeader}); err != nil {
		return err
	}
	changes, org, err := ApplyPath(ctx, env, dir, Actor(), false)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nwrote %s/ and applied it to %s: organization %s, %d records.\n", dir, redactURL(env.DB), org.Slug, len(changes))
	fmt.Fprintf(env.Stdout, `
Next:
  ward plan                     what applies, in what order, from %s
  ward check                    what the go-live gate still needs (exit 1 until it passes)
  ward user add EMAIL --role admin, then ward serve   the web app
  edit %s/*.yaml, then ward apply -f %s   the rest of the inventory: vendors, flows, customers, agreements
`, a.ProgramStart, dir, dir)
	return nil
}

// workspaceFiles lists the YAML files directly in dir (none when it does
// not exist).
func workspaceFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			out = append(out, n)
		}
	}
	return out, nil
}

// prompter asks questions one line at a time, on a terminal or from
// piped lines: an empty line takes the default, an answer it cannot use
// is asked again, and the end of the input is an error (nothing written).
type prompter struct {
	in  *bufio.Scanner
	out io.Writer
}

// errNoMore is the end of the input where an answer was optional.
var errNoMore = errors.New("no more input")

// line asks q and returns the answer, or def for an empty line. check,
// when set, says what is wrong with an answer ("" when it is right).
func (p *prompter) line(q onboard.Question, def string, optionalEOF bool, check func(string) string) (string, error) {
	for {
		fmt.Fprintf(p.out, "\n%s", q.Text)
		if q.Help != "" {
			fmt.Fprintf(p.out, "\n  %s", q.Help)
		}
		if def != "" {
			fmt.Fprintf(p.out, "\n  [%s] ", def)
		} else {
			fmt.Fprint(p.out, "\n  > ")
		}
		if !p.in.Scan() {
			fmt.Fprintln(p.out)
			if optionalEOF {
				return "", errNoMore
			}
			return "", BadInput("no answer to %q; nothing was written", q.Text)
		}
		a := strings.TrimSpace(p.in.Text())
		if a == "" {
			a = def
		}
		if check == nil {
			return a, nil
		}
		why := check(a)
		if why == "" {
			return a, nil
		}
		fmt.Fprintf(p.out, "  %s\n", why)
	}
}

func (p *prompter) yesNo(q onboard.Question, def string) (bool, error) {
	q.Text += " (y/n)"
	a, err := p.line(q, def, false, func(s string) string {
		switch strings.ToLower(s) {
		case "y", "yes", "n", "no":
			return ""
		}
		return "please answer y or n"
	})
	return strings.HasPrefix(strings.ToLower(a), "y"), err
}

func (p *prompter) oneOf(q onboard.Question, def string, allowed []string) (string, error) {
	return p.line(q, def, false, func(s string) string {
		if slices.Contains(allowed, s) {
			return ""
		}
		return "please answer one of " + strings.Join(allowed, ", ")
	})
}

func required(what string) func(string) string {
	return func(s string) string {
		if s == "" {
			return what + " is needed"
		}
		return ""
	}
}

func email(s string) string {
	if bounds.Email(s) != nil {
		return "please give an e-mail address, such as dana@example.com"
	}
	return ""
}

func dateAnswer(optional bool) func(string) string {
	return func(s string) string {
		if s == "" && optional {
			return ""
		}
		if _, err := date.Parse(s); err != nil {
			return "please give a date as YYYY-MM-DD"
		}
		return ""
	}
}

// answers asks everything the onboarding needs, in order.
func (p *prompter) answers(today date.Date) (onboard.Answers, error) {
	var a onboard.Answers
	var err error
	if a.Name, err = p.line(onboard.QName, "", false, required("a name")); err != nil {
		return a, err
	}
	start, err := p.line(onboard.QProgramStart, today.String(), false, dateAnswer(false))
	if err != nil {
		return a, err
	}
	a.ProgramStart = date.MustParse(start)

	set := map[string]*bool{
		"handles_phi":               &a.Answers.HandlesPHI,
		"sells_to_covered_entities": &a.Answers.SellsToCoveredEntities,
		"enterprise_health_systems": &a.Answers.EnterpriseHealthSystems,
		"buyers_ask_soc2":           &a.Answers.BuyersAskSOC2,
	}
	for i, q := range plan.Questions() {
		dst, ok := set[q.ID]
		if !ok {
			return a, fmt.Errorf("init: no answer field for the applicability question %s", q.ID)
		}
		text := fmt.Sprintf("%d/%d. %s", i+1, len(plan.Questions()), q.Text)
		if *dst, err = p.yesNo(onboard.Question{Field: q.ID, Text: text, Help: q.Help}, ""); err != nil {
			return a, err
		}
	}
	if a.Answers.HandlesPHI {
		if a.Role, err = p.oneOf(onboard.QRole, onboard.DefaultRole(a.Answers), workspace.Roles); err != nil {
			return a, err
		}
	}

	if a.Privacy.Name, err = p.line(onboard.QPrivacyName, "", false, required("a name")); err != nil {
		return a, err
	}
	if a.Privacy.Email, err = p.line(onboard.QPrivacyEmail, "", false, email); err != nil {
		return a, err
	}
	if a.Security.Name, err = p.line(onboard.QSecurityName, a.Privacy.Name, false, required("a name")); err != nil {
		return a, err
	}
	def := ""
	if a.Security.Name == a.Privacy.Name {
		def = a.Privacy.Email
	}
	if a.Security.Email, err = p.line(onboard.QSecurityEmail, def, false, email); err != nil {
		return a, err
	}

	// A covered entity providing care gets HIPAA only (rule 5): ward plan
	// says SOC 2 does not apply, so init does not ask for a SOC 2 target
	// and says why, in the plan's words.
	if a.Role == workspace.RoleCoveredEntity {
		a.SOC2Type = "none"
		org := workspace.Organization{Roles: []string{a.Role}, Answers: a.Answers}
		for _, f := range plan.Frameworks(&workspace.Workspace{Organization: org}) {
			if f.ID == plan.SOC2 && !f.Applies {
				fmt.Fprintf(p.out, "\nSOC 2 target: none, not asked. %s\n", f.Reason)
			}
		}
	} else if a.SOC2Type, err = p.oneOf(onboard.QSOC2Type, onboard.DefaultSOC2(a.Answers), workspace.SOC2Types); err != nil {
		return a, err
	}
	if a.SOC2Type == "type2" {
		obs, err := p.line(onboard.QObservationStart, "", false, dateAnswer(true))
		if err != nil {
			return a, err
		}
		if obs != "" {
			a.ObservationStart = date.MustParse(obs)
		}
		months, err := p.line(onboard.QObservationMonths, strconv.Itoa(onboard.DefaultObservationMonths(a.Answers)), false, func(s string) string {
			if n, err := strconv.Atoi(s); err != nil || n < 1 || n > 24 {
				return "please give a number of months from 1 to 24"
			}
			return ""
		})
		if err != nil {
			return a, err
		}
		a.ObservationMonths, _ = strconv.Atoi(months)
	}

	fmt.Fprint(p.out, "\nThe first systems: those that hold or carry PHI come first (the rest can wait). Leave the name empty when you are done.\n")
	for n := 1; ; n++ {
		q := onboard.QSystemName
		q.Text = fmt.Sprintf("System %d: name (empty to finish)", n)
		name, err := p.line(q, "", true, nil)
		if errors.Is(err, errNoMore) || (err == nil && name == "") {
			break
		}
		if err != nil {
			return a, err
		}
		sys := onboard.System{Name: name}
		if sys.Kind, err = p.oneOf(onboard.QSystemKind, "service", workspace.SystemKinds); err != nil {
			return a, err
		}
		if sys.Vendor, err = p.line(onboard.QSystemVendor, "", false, nil); err != nil {
			return a, err
		}
		if sys.PHI, err = p.yesNo(onboard.QSystemPHI, ""); err != nil {
			return a, err
		}
		if sys.PHI {
			if sys.LivePHI, err = p.yesNo(onboard.QSystemLivePHI, ""); err != nil {
				return a, err
			}
			if sys.EncryptedAtRest, err = p.yesNo(onboard.QSystemEncrypted, ""); err != nil {
				return a, err
			}
		}
		a.Systems = append(a.Systems, sys)
	}
	return a, nil
}
