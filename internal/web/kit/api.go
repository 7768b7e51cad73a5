package kit

// OrgMembership is one organization the caller belongs to, in
// GET /api/v1/orgs.
type OrgMembership struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Role string `json:"role"`
}
