package secq

import (
	"strings"
	"unicode"
)

// The words of a question, as the matcher compares them: lower case,
// phrases and abbreviations folded into one concept ("two-factor", "2FA"
// and "multi-factor" are all "mfa"; "at rest" and "stored" are "store"),
// filler dropped, the rest stemmed.
//
// The synonym list is ward's, written from how security questionnaires
// name things in general (HIPAA and security vocabulary); it is not drawn
// from the benchmark (bench/questionnaire), whose questions are held out
// from it. Each entry maps phrases (space-separated words, before
// stemming) to a concept; a concept of "" drops the phrase.
var synonyms = map[string][]string{
	"mfa": {"mfa", "2fa", "two factor", "2 factor", "multi factor", "multifactor", "second factor", "two step", "2 step",
		"2sv", "two step verification", "one time passcode", "one time password", "otp", "authenticator app", "hardware token",
		"security key", "yubikey"},
	"phi": {"phi", "ephi", "e phi", "protected health information", "electronic protected health information", "patient data",
		"patient information", "patient health information", "health information", "health data", "clinical data",
		"medical information", "medical records", "medical record", "patient records", "patient record"},
	"store":      {"at rest", "stored", "storage", "store", "stores", "storing", "persisted", "contain", "contains", "containing", "reside", "resides", "residing"},
	"transit":    {"in transit", "in motion", "in flight", "transmission", "transmissions", "transmitted", "transmit", "transmitting", "over the network", "over networks", "over public networks", "over the internet", "across networks"},
	"encrypt":    {"encrypt", "encrypted", "encryption", "encrypting", "encrypts", "cryptographic", "cryptography", "crypto", "ciphered", "aes", "aes 256", "aes256"},
	"pentest":    {"penetration test", "penetration tests", "penetration testing", "pen test", "pen tests", "pen testing", "pentest", "pentests", "pentesting", "ethical hacking", "red team", "red teaming"},
	"sso":        {"sso", "single sign on", "single signon", "saml", "saml 2", "saml2", "oidc", "openid connect", "federated login", "federation", "federated authentication"},
	"baa":        {"baa", "baas", "business associate agreement", "business associate agreements", "business associate contract", "business associate contracts", "business associate addendum"},
	"subprocess": {"subprocessor", "subprocessors", "sub processor", "sub processors", "subcontractor", "subcontractors", "sub contractor", "sub contractors", "fourth party", "fourth parties", "downstream vendor", "downstream vendors", "nth party"},
	"vendor":     {"vendors", "supplier", "suppliers", "third party", "third parties", "service provider", "service providers", "outsourced provider", "outsourced providers"},
	// The respondent, named in the third person ("Does the vendor ...?"),
	// says nothing about what is asked.
	"": {"the vendor", "vendor s", "the vendors", "your organization", "your organisation", "your company", "the company", "the organization", "the organisation", "your firm", "the supplier", "supplier s", "the bidder", "the respondent", "the proposer", "your team", "the solution provider",
		// ... and so does the customer naming itself ("Hospital data").
		"hospital", "the hospital", "hospital s", "hospitals", "the institution", "institution s", "health system", "the health system", "medical center"},
	"contingenc": {"business continuity", "disaster recovery", "bcp", "drp", "bc dr", "bcdr", "continuity plan", "continuity plans", "contingency plan", "contingency plans", "contingency planning", "dr plan"},
	"backup":     {"backup", "backups", "back up", "back ups", "backed up", "back upped", "backing up"},
	"log":        {"audit log", "audit logs", "audit trail", "audit trails", "logging", "logs", "log", "logged", "event log", "event logs"},
	"soc2":       {"soc 2", "soc2", "soc ii", "soc 2 type ii", "soc 2 type 2", "ssae 18", "ssae18", "soc report", "soc reports", "soc 2 report", "type ii report", "type 2 report"},
	"siem":       {"siem", "security information and event management", "security operations center", "security operations centre", "managed detection and response", "mdr"},
	"malware":    {"antivirus", "anti virus", "anti malware", "antimalware", "malware", "malicious software", "malicious code", "edr", "xdr", "endpoint detection and response", "endpoint detection", "virus", "viruses"},
	"vulnerab":   {"vulnerability", "vulnerabilities", "vuln", "vulns", "cve", "cves", "weaknesses"},
	"intrusion":  {"intrusion detection", "intrusion prevention", "ids", "ips", "idps", "intrusion", "intrusions", "hids", "nids"},
	"waf":        {"waf", "web application firewall", "web application firewalls"},
	"ddos":       {"ddos", "denial of service", "distributed denial of service", "dos attacks", "dos attack"},
	"mdm":        {"mdm", "mobile device management", "device management", "intune", "jamf", "uem", "unified endpoint management", "endpoint management"},
	"fde":        {"full disk encryption", "full disk encrypted", "fde", "bitlocker", "filevault", "disk encryption", "device encryption", "hard drive encryption", "whole disk encryption"},
	"workstat":   {"laptop", "laptops", "notebook", "notebooks", "desktop", "desktops", "workstation", "workstations", "computer", "computers", "pc", "pcs", "endpoint", "endpoints", "end user devices", "end user device"},
	"mobil":      {"mobile device", "mobile devices", "phone", "phones", "smartphone", "smartphones", "tablet", "tablets", "cell phone", "cell phones", "mobile"},
	"rto":        {"rto", "recovery time objective", "recovery time objectives", "recovery time"},
	"rpo":        {"rpo", "recovery point objective", "recovery point objectives", "recovery point", "acceptable data loss"},
	"bia":        {"business impact analysis", "business impact assessment", "bia"},
	"riskassess": {"risk assessment", "risk assessments", "risk analysis", "risk analyses", "sra", "security risk assessment", "security risk analysis", "risk evaluation", "assess risk", "assess risks", "assessing risk"},
	"bgcheck":    {"background check", "background checks", "background screening", "background investigation", "background investigations", "criminal history", "criminal background", "pre employment screening", "employment screening", "screened", "screening"},
	"nda":        {"nda", "ndas", "non disclosure", "nondisclosure", "confidentiality agreement", "confidentiality agreements"},
	"contractend": {"contract termination", "termination of the contract", "termination of contract", "termination of the agreement",
		"termination of our agreement", "termination of services", "end of the contract", "end of contract", "contract ends", "contract expiration",
		"end of the relationship", "end of our relationship", "relationship ends", "contract end", "termination or expiration"},
	"offboard":     {"termination", "terminations", "terminated", "offboarding", "off boarding", "offboarded", "separation", "separated", "leaves", "leavers", "departure", "departs", "deprovision", "deprovisioning", "de provisioning", "revoke", "revoked", "revocation", "revoking"},
	"leastpriv":    {"least privilege", "least privileged", "principle of least privilege", "minimal privileges", "minimum privileges"},
	"minnec":       {"minimum necessary", "need to know", "data minimization", "data minimisation", "minimize", "minimise", "minimized", "minimum amount"},
	"rbac":         {"rbac", "role based access", "role based access control", "role based"},
	"admin":        {"admin", "admins", "administrator", "administrators", "administrative", "privileged", "privileged access", "privileged accounts", "privileged users", "elevated access", "elevated privileges", "root", "superuser", "super user", "pam"},
	"lockout":      {"account lockout", "locked out", "lock out", "lockout", "lockouts", "failed login", "failed logins", "failed login attempts", "unsuccessful login", "unsuccessful logins", "unsuccessful log in", "invalid login attempts", "brute force"},
	"timeout":      {"timeout", "timeouts", "time out", "times out", "timed out", "idle", "inactivity", "inactive", "automatic logoff", "auto logoff", "automatic logout", "auto logout", "automatic log off", "logoff", "log off", "logout", "log out", "session lock", "screen lock", "screensaver"},
	"sdlc":         {"sdlc", "ssdlc", "software development life cycle", "software development lifecycle", "secure development", "development lifecycle", "development life cycle", "devsecops", "secure coding", "secure software development"},
	"sast":         {"sast", "static analysis", "static code analysis", "static application security testing", "code scanning", "source code scanning", "source code analysis"},
	"dast":         {"dast", "dynamic application security testing", "dynamic scanning", "dynamic testing"},
	"codereview":   {"code review", "code reviews", "peer review", "peer reviewed", "peer reviews", "pull request", "pull requests", "merge request", "merge requests"},
	"changemgmt":   {"change management", "change control", "change controls", "change process", "change advisory board", "cab", "release management"},
	"dependenc":    {"software composition analysis", "sca", "open source", "open source components", "open source libraries", "third party libraries", "third party components", "third party code", "dependencies", "dependency", "libraries", "sbom", "software bill of materials"},
	"tabletop":     {"tabletop", "table top", "tabletops", "tabletop exercise", "tabletop exercises"},
	"rootcaus":     {"root cause", "root cause analysis", "rca", "post mortem", "postmortem", "post incident review", "lessons learned", "after action", "after action review"},
	"notifi":       {"notify", "notified", "notification", "notifications", "notifying", "notice", "notices", "inform", "informed", "alert us", "tell us", "advise us"},
	"privnotic":    {"privacy notice", "privacy notices", "notice of privacy practices", "npp", "privacy policy", "privacy statement", "privacy policies"},
	"ai":           {"ai", "artificial intelligence", "machine learning", "ml", "llm", "llms", "large language model", "large language models", "generative ai", "genai", "gen ai", "chatgpt", "gpt", "model", "models", "algorithm", "algorithms", "ai ml"},
	"threatmodel":  {"threat model", "threat models", "threat modeling", "threat modelling"},
	"deidentif":    {"de identify", "de identified", "deidentified", "deidentify", "de identification", "deidentification", "anonymize", "anonymized", "anonymization", "anonymise", "anonymised", "pseudonymize", "pseudonymized", "masked", "masking", "tokenized", "tokenization"},
	"dispos":       {"disposal", "dispose", "disposed", "disposing", "destruction", "destroy", "destroyed", "destroying", "sanitize", "sanitized", "sanitization", "sanitizing", "wipe", "wiped", "wiping", "shred", "shredded", "shredding", "degauss", "degaussing", "crypto shredding"},
	"retain":       {"retention", "retain", "retained", "retaining", "retains", "how long"},
	"delet":        {"delete", "deleted", "deletion", "deleting", "purge", "purged", "purging", "erase", "erased", "erasure", "remove data"},
	"datacent":     {"data center", "data centers", "data centre", "data centres", "datacenter", "datacenters", "colocation", "colo", "hosting facility", "hosting facilities", "server room", "server rooms"},
	"cloudprov":    {"aws", "amazon web services", "azure", "microsoft azure", "gcp", "google cloud", "google cloud platform", "cloud provider", "cloud providers", "hosting provider", "hosting providers", "cloud service provider", "cloud service providers", "csp", "iaas", "paas", "hosted", "hosting"},
	"vpn":          {"vpn", "vpns", "virtual private network"},
	"wireless":     {"wi fi", "wifi", "wireless", "wlan", "wpa2", "wpa3"},
	"removabl":     {"usb", "removable media", "removable storage", "thumb drive", "thumb drives", "flash drive", "flash drives", "external drive", "external drives", "portable media", "portable storage"},
	"email":        {"e mail", "email", "emails", "e mails", "mail"},
	"sla":          {"service level agreement", "service level agreements", "service level", "service levels", "sla", "slas", "uptime", "availability commitment", "availability guarantee"},
	"dataflow":     {"data flow diagram", "data flow diagrams", "dataflow diagram", "data flow", "data flows", "data map", "data mapping", "dfd", "network diagram", "architecture diagram"},
	"classif":      {"classify", "classified", "classification", "classifications", "classifying", "labeling", "labelling", "labels", "sensitivity levels"},
	"offshor":      {"offshore", "offshoring", "outside the united states", "outside of the united states", "outside the us", "outside of the us", "outside the u s", "overseas", "foreign", "non us", "international", "internationally", "abroad", "onshore", "united states", "us based", "u s based", "within the us", "continental us"},
	"accessreview": {"access review", "access reviews", "user access review", "user access reviews", "recertification", "recertify", "recertified", "access certification", "access certifications", "entitlement review", "entitlement reviews", "review access", "review user access", "access rights reviewed", "reviewed access"},
	"provision":    {"provision", "provisioning", "provisioned", "access request", "access requests", "grant access", "granting access", "granted access", "access is granted", "access approval", "onboard access"},
	"sharedacct":   {"shared account", "shared accounts", "generic account", "generic accounts", "shared login", "shared logins", "shared credentials", "group account", "group accounts", "shared ids", "shared user ids"},
	"uniqueid": {"unique user", "unique users", "unique id", "unique ids", "unique identifier", "unique identifiers", "unique user id", "unique user ids", "individual account", "individual accounts", "unique account", "unique accounts", "unique login", "unique logins", "unique credentials",
		"user id", "user ids", "userid", "userids", "login id", "login ids", "username", "usernames", "user name", "user names"},
	"indivright": {"right of access", "right to access", "right to amend", "right of amendment", "individual rights", "patient rights",
		"data subject request", "data subject requests", "data subject rights", "dsar", "dsars"},
	"insur":      {"cyber insurance", "cyber liability", "insurance", "insured", "insurer", "cyber policy"},
	"sanction":   {"sanction", "sanctions", "disciplinary", "discipline", "disciplined"},
	"tls":        {"tls", "ssl", "https", "transport layer security", "tls 1 2", "tls 1 3", "ssl tls"},
	"kms":        {"kms", "hsm", "hsms", "key management service", "key management system", "hardware security module", "hardware security modules", "key vault", "key management"},
	"secret":     {"secrets manager", "secrets management", "secret manager", "vault", "secrets", "secret", "api keys", "api key", "service account passwords", "hard coded credentials", "hardcoded credentials", "hard coded passwords", "hardcoded passwords"},
	"byod":       {"byod", "bring your own device", "personal device", "personal devices", "personally owned", "personally owned devices"},
	"workforc":   {"workforce", "employees", "employee", "staff", "staff members", "personnel", "workforce members", "team members", "workers"},
	"customer":   {"customer", "customers", "client", "clients", "client s", "customer s"},
	"aup":        {"acceptable use", "acceptable use policy", "acceptable use policies", "aup", "rules of behavior", "rules of behaviour"},
	"past":       {"last", "past", "previous", "previously", "history", "historical", "experienced", "suffered", "ever had", "in the last", "in the past"},
	"before":     {"before", "prior to", "in advance", "beforehand", "ahead of"},
	"annual":     {"annual", "annually", "yearly", "every year", "each year", "once a year", "per year", "12 months", "twelve months", "every 12 months"},
	"contractor": {"contractor", "contractors", "consultants", "consultant", "temporary staff", "temps", "interns"},
	"phish":      {"phishing", "phish", "phished", "social engineering", "spear phishing", "simulated phishing"},
	"patch":      {"patch", "patches", "patching", "patched", "software updates", "os updates", "system updates", "operating system updates", "hotfixes"},
	"firewal":    {"firewall", "firewalls", "security groups", "security group", "acl", "acls", "network access control lists"},
	"segment":    {"segmentation", "segmented", "segment", "segments", "vlan", "vlans", "vpc", "vpcs", "dmz", "isolated network", "network zones", "network isolation", "isolated", "isolate", "isolates", "isolation"},
	"hitrust":    {"hitrust", "hitrust csf", "hitrust r2", "hitrust certified", "hitrust certification"},
	"hipaa":      {"hipaa", "hitech", "hipaa hitech", "health insurance portability and accountability act"},
	"breach":     {"breach", "breaches", "data breach", "data breaches", "breached", "compromise", "compromised"},
	"incident":   {"incident", "incidents", "security incident", "security incidents", "security event", "security events", "cyber incident", "cyber incidents"},
	"train":      {"training", "trained", "train", "trainings", "educated", "education", "awareness", "courses", "course"},
	"polic":      {"policy", "policies", "procedure", "procedures", "standards", "written policies", "documented policies"},
	"tenant":     {"tenant", "tenants", "multi tenant", "multitenant", "multi tenancy", "multitenancy", "co mingled", "commingled", "comingled", "other customers", "other clients", "logically separated", "logical separation", "segregated", "segregation"},
	"consent":    {"consent", "consents", "authorization form", "authorizations", "opt in", "opt out", "opt ins", "opt outs"},
	"ransomwar":  {"ransomware", "ransom", "extortion", "cyber extortion"},
	"forensic":   {"forensic", "forensics", "chain of custody", "evidence preservation", "preserve evidence", "legal hold", "e discovery", "ediscovery"},
	"testdata":   {"test data", "synthetic data", "dummy data", "fake data", "production data", "live data", "real data", "real phi", "live phi"},
	"nonprod":    {"non production", "nonproduction", "test environment", "test environments", "development environment", "development environments", "dev environment", "dev environments", "staging", "qa environment", "lower environments", "sandbox", "sandboxes"},
	"secoff":     {"ciso", "chief information security officer", "security officer", "security official", "information security officer", "head of security", "security lead", "isso", "hipaa security officer", "hipaa security official"},
	"privoff":    {"privacy officer", "privacy official", "chief privacy officer", "cpo", "dpo", "data protection officer", "hipaa privacy officer", "hipaa privacy official"},
	"board":      {"board", "board of directors", "executive leadership", "leadership", "senior management", "executive management", "management team", "executives", "steering committee"},
	"clockdrift": {"ntp", "network time protocol", "time synchronization", "time synchronisation", "clock synchronization", "synchronized clocks", "time source", "clocks"},
	"remotework": {"work from home", "working from home", "remote work", "remote workers", "remote employees", "telework", "teleworking", "home office", "home offices", "remote workforce"},
	"paper":      {"paper", "hard copy", "hard copies", "printed", "printouts", "paper records", "paper documents"},
	"interface":  {"hl7", "fhir", "interface", "interfaces", "integration", "integrations", "api", "apis", "rest api", "web services", "edi"},
}

// stopWords carry no meaning a bank question could match on.
var stopWords = toSet(`a an the and or nor of to in on for with by at from as into onto about over under within without between
is are was were be been being am do does did done doing have has had having
i me my you your yours we our ours us they them their theirs it its this that these those there here
any all each every both either neither some such no not yes only also other others own same so than then too very
if when whenever which what who whom whose how where why while until unless whether
will would can could should shall may might must need needs
please describe explain provide indicate list detail details specify confirm state include includes including
e g eg i e ie etc per via
use uses used using utilize utilizes utilized leverage leverages
organization organisation company firm entity entities
currently current existing appropriate applicable relevant related regarding respect following
ensure ensures ensured ensuring maintain maintains maintained documented document documentation formal formally
process processes there's type types kind kinds way ways place practice practices
frequently frequency often regular regularly basis periodic periodically routinely least solution solutions platform value values
one two three yes no n a na y n`)

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// phrase is the synonym table by first word: phrases longest first.
type phrase struct {
	words   []string
	concept string
}

var phrases = buildPhrases()

func buildPhrases() map[string][]phrase {
	out := map[string][]phrase{}
	for concept, list := range synonyms {
		for _, p := range list {
			ws := words(p)
			if len(ws) == 0 {
				continue
			}
			out[ws[0]] = append(out[ws[0]], phrase{ws, concept})
		}
	}
	for k, ps := range out {
		// Longest first; equal lengths in a fixed order, so analysis is
		// deterministic however the map iterates.
		sortPhrases(ps)
		out[k] = ps
	}
	return out
}

func sortPhrases(ps []phrase) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && less(ps[j], ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

func less(a, b phrase) bool {
	if len(a.words) != len(b.words) {
		return len(a.words) > len(b.words)
	}
	x, y := strings.Join(a.words, " "), strings.Join(b.words, " ")
	if x != y {
		return x < y
	}
	return a.concept < b.concept
}

// words splits text into lower-case runs of letters and digits; anything
// else (hyphens, slashes, apostrophes, punctuation) separates words.
func words(s string) []string {
	s = strings.ToLower(s)
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || unicode.IsLetter(r) && r > 127)
	})
}

// analyze turns text into the terms the matcher compares: concepts for
// known phrases (longest match first), then the remaining words without
// stop words, stemmed. Single letters are dropped; numbers of two or more
// digits are kept ("164", "72").
func analyze(s string) []string {
	ws := words(s)
	out := make([]string, 0, len(ws))
	for i := 0; i < len(ws); {
		matched := false
		for _, p := range phrases[ws[i]] {
			if i+len(p.words) <= len(ws) && equalWords(ws[i:i+len(p.words)], p.words) {
				if p.concept != "" {
					out = append(out, "~"+p.concept)
				}
				i += len(p.words)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		w := ws[i]
		i++
		if stopWords[w] || len(w) < 2 {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
