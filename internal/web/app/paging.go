package app

import (
	"net/url"
	"strconv"
)

// listPages places one page (clamped to the last) of total rows, per to a
// page, and links the pages around it: the first and the last, and two
// either side of this one. Each link is the request's query q with only
// page changed, so filters and the as-of date are kept.
func listPages(q url.Values, total, page, per int) FlowPages {
	last := max(1, (total+per-1)/per)
	page = min(page, last)
	p := FlowPages{Page: page, Last: last, Total: total, First: (page-1)*per + 1, End: min(total, page*per)}
	if total == 0 {
		p.First = 0
	}
	link := func(n int) string {
		if n == 1 {
			return flowsQuery(q, "page", "")
		}
		return flowsQuery(q, "page", strconv.Itoa(n))
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
			p.Links = append(p.Links, FlowsView{Label: "…"})
		}
		l := FlowsView{Label: strconv.Itoa(n)}
		if n != page {
			l.Href = link(n)
		}
		p.Links = append(p.Links, l)
		prev = n
	}
	return p
}

// rows is the part of a list the page p shows.
func (p FlowPages) rows(n int) (from, to int) {
	return max(0, p.First-1), min(n, p.End)
}
