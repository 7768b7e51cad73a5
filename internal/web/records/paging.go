package records

import (
	"fmt"
	"net/url"
	"strconv"
)

// ListPages places one page (clamped to the last) of total rows, per to a
// page, and links the pages around it: the first and the last, and two
// either side of this one. Each link is the request's query q with only
// page changed, so filters and the as-of date are kept.
func ListPages(q url.Values, total, page, per int) Pages {
	last := max(1, (total+per-1)/per)
	page = min(page, last)
	p := Pages{Page: page, Last: last, Total: total, First: (page-1)*per + 1, End: min(total, page*per)}
	if total == 0 {
		p.First = 0
	}
	link := func(n int) string {
		if n == 1 {
			return QueryWith(q, "page", "")
		}
		return QueryWith(q, "page", strconv.Itoa(n))
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < last {
		p.Next = link(page + 1)
	}
	if last == 1 {
		return p
	}
	prev := 0
	for n := 1; n <= last; n++ {
		if n != 1 && n != last && (n < page-2 || n > page+2) {
			continue
		}
		if prev != 0 && n > prev+1 {
			p.Links = append(p.Links, PageLink{Label: "…"})
		}
		l := PageLink{Label: strconv.Itoa(n)}
		if n != page {
			l.Href = link(n)
		}
		p.Links = append(p.Links, l)
		prev = n
	}
	return p
}

// rows is the part of a list the page p shows.
func (p Pages) Rows(n int) (from, to int) {
	return max(0, p.First-1), min(n, p.End)
}

// Pages is where a list's page is among its rows (the flows, the
// records of a kind, evidence, findings), and the links to the others.
type Pages struct {
	Page, Last, First, End, Total int // First..End: 1-based rows shown
	Links                         []PageLink
	Prev, Next                    string
}

// PageParam reads a positive whole number from the query, def when absent.
func PageParam(q url.Values, name string, def int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s must be a whole number from 1, not %q", name, v)
	}
	return n, nil
}

// QueryWith is the page's current query with name set to value (removed
// when value is ""), as a relative link.
func QueryWith(q url.Values, name, value string) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	if value == "" {
		c.Del(name)
	} else {
		c.Set(name, value)
	}
	return "?" + c.Encode()
}

// PageLink is one link of a pager: a page number, or "…" without a link
// for the pages left out.
type PageLink struct {
	Label string
	Href  string
}
