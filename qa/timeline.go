package qa

// Timeline() lists the sentences that place something in time, each with
// the date it names, earliest first. It reads dates with hand-written
// rules in the manner of rule-based taggers such as HeidelTime (Strötgen &
// Gertz 2013), resolving each against a reference date:
//
//   - Written forms: a month and day, with or without a year and a weekday
//     ("Dec. 8", "December 8, 2024", "8 December 2024", "Tuesday, February
//     11"); a month and year ("December 2024"); a month alone after a
//     preposition or "early"/"late"/"mid" ("in December", "earlier in
//     February"); a year after one ("in 2015", "since 2022", "mid-2024");
//     a weekday ("on Wednesday", "next Friday"); and relative forms
//     ("today", "yesterday", "last month", "late last year", "this week",
//     "three days ago"). Months and weekdays count only capitalised; "May"
//     only beside a day or year.
//   - The reference: the article's date: header; else the date its text
//     states as today ("announced today, Wednesday, February 12"). A
//     weekday and a day without a year find the year from the weekday
//     among the two years from the latest year the article names (February
//     12 after 2024 fell on a Wednesday in 2025), so such a date is
//     resolved without a reference.
//   - Resolution: a day without a year is the one nearest the reference;
//     a month alone likewise; a weekday the last one on or before the
//     reference, or the next after it when the sentence looks ahead ("will",
//     "next", "set to"). "this week" and the like have no date in the three
//     precisions ("2025-02-12", "2025-02", "2025") and stay unresolved, as
//     does anything relative in an article with no reference. An
//     unresolved date is kept as written, Date "", never guessed.
//   - The event's date: a sentence may name several; the first one that is
//     not the start of a period ("since the fall … in December 2024") or
//     another event's time ("after …", "before …") is the sentence's,
//     else the first.
//   - Merging: two dated sentences are one event when they say the same
//     thing (sameThing, as Ask merges answers) and their dates do not
//     differ, or when they give the same date (resolved alike, or written
//     alike where neither resolves: "late last month" and "last month")
//     and their idf-modified cosine is at least sameEventSimilarity (0.3).
//     The event is shown once, in the words of the first article to give
//     its most precise date, with the others as AlsoIn; so an undated
//     article's telling takes the date a dated one gives.
//   - Order: by date, a coarser date (a month, a year) before the days in
//     it; ties and the unresolved (last) in article order.
//
// Headlines and subheads are left out. It is worked out once per index, on
// first call, and kept.

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/storybot/storybot/qa/internal/lexicon"
)

// Event is a sentence that places something in time, with its date.
type Event struct {
	// Date is the date resolved: "2025-02-12", "2024-12" or "2015" as
	// precise as the text allows, or "" when it cannot be resolved.
	Date    string   `json:"date"`
	Written string   `json:"written"` // the date as the text says it: "on Wednesday"
	Text    string   `json:"text"`    // the sentence, verbatim
	Source  Source   `json:"source"`
	AlsoIn  []Source `json:"also_in"` // other articles that say the same
}

// Timeline returns the sentences of the articles that place something in
// time, earliest first and the unresolved last, the same event from
// several articles once. It is worked out on the first call and kept;
// callers may change what it returns.
func (ix *Index) Timeline() []Event {
	ix.story.timelineOnce.Do(func() { ix.story.timeline = ix.buildTimeline() })
	out := slices.Clone(ix.story.timeline)
	for i := range out {
		out[i].AlsoIn = slices.Clone(out[i].AlsoIn)
	}
	return out
}

// timex is one date a sentence writes.
type timex struct {
	start, end int  // byte span in the sentence, leading words ("on", "late") included
	background bool // the start of a period or another event's time: "since …", "after …"
	y, m, d    int  // as written; 0 when not
	wd         int  // weekday written, 1 Sunday … 7 Saturday; 0 none
	rel        relKind
	off        int  // days, months or years from the reference
	future     bool // a weekday that looks ahead: "next Friday", "will … on Friday"
	today      bool // the text says it is today: "today, Wednesday, February 12"
}

type relKind uint8

const (
	relNone    relKind = iota // absolute, as precise as y, m, d
	relDay                    // the reference + off days
	relMonth                  // the reference's month + off
	relYear                   // the reference's year + off
	relWeekday                // the weekday wd before (or after) the reference
	relVague                  // "this week", "recently": no date to give
)

// day is a resolved date: precision 1 year, 2 month, 3 day.
type day struct {
	t    time.Time
	prec int
}

func (d day) String() string {
	switch d.prec {
	case 1:
		return d.t.Format("2006")
	case 2:
		return d.t.Format("2006-01")
	case 3:
		return d.t.Format(time.DateOnly)
	}
	return ""
}

type timelineEvent struct {
	sent    int32
	tx      timex
	date    day
	written string
	members []int32 // sentences that say the same thing, this one first
}

func (ix *Index) buildTimeline() []Event {
	var evs []*timelineEvent
	for lo := 0; lo < len(ix.sents); {
		hi := lo + 1
		for hi < len(ix.sents) && ix.sents[hi].art == ix.sents[lo].art {
			hi++
		}
		evs = append(evs, ix.articleEvents(int32(lo), int32(hi))...)
		lo = hi
	}
	groups := ix.sameEvents(evs)
	merged := make([]*timelineEvent, 0, len(groups))
	for _, g := range groups {
		// The group's date is the most precise any of them resolves; it is
		// shown in the words of the first (in article order) to resolve it.
		shown := g[0]
		for _, e := range g[1:] {
			if e.date.prec > shown.date.prec {
				shown = e
			}
		}
		m := *shown
		m.members = []int32{shown.sent}
		for _, e := range g {
			if e != shown {
				m.members = append(m.members, e.sent)
			}
		}
		merged = append(merged, &m)
	}
	slices.SortStableFunc(merged, func(a, b *timelineEvent) int {
		switch {
		case a.date.prec == 0 && b.date.prec == 0:
			return int(a.sent - b.sent)
		case a.date.prec == 0:
			return 1
		case b.date.prec == 0:
			return -1
		}
		if c := strings.Compare(a.date.String(), b.date.String()); c != 0 {
			return c
		}
		return int(a.sent - b.sent)
	})
	out := make([]Event, 0, len(merged))
	for _, e := range merged {
		s := &ix.sents[e.sent]
		ev := Event{
			Date:    e.date.String(),
			Written: e.written,
			Text:    ix.texts[s.art][s.start:s.end],
			Source:  ix.sources[s.art].Source,
			AlsoIn:  []Source{},
		}
		for _, m := range e.members[1:] {
			src := ix.sources[ix.sents[m].art].Source
			if src.ID != ev.Source.ID && !slices.ContainsFunc(ev.AlsoIn, func(o Source) bool { return o.ID == src.ID }) {
				ev.AlsoIn = append(ev.AlsoIn, src)
			}
		}
		out = append(out, ev)
	}
	return out
}

// sameEvents groups the events that tell the same thing, each group in
// article order, the groups in the order of their first event. Two events
// are the same when their sentences say the same thing (sameThing) and
// their dates do not differ, or when they give the same date (resolved the
// same, or written the same where neither resolves) and their sentences
// are similar (cosine at least sameEventSimilarity).
func (ix *Index) sameEvents(evs []*timelineEvent) [][]*timelineEvent {
	parent := make([]int, len(evs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		if ra, rb := find(a), find(b); ra != rb {
			parent[max(ra, rb)] = min(ra, rb)
		}
	}
	// The same date: compare within each date's events.
	byDate := map[string][]int{}
	for i, e := range evs {
		byDate[e.key()] = append(byDate[e.key()], i)
	}
	vecs := map[int32]*termVec{}
	vec := func(s int32) *termVec {
		v, ok := vecs[s]
		if !ok {
			vv := ix.vector(s)
			v = &vv
			vecs[s] = v
		}
		return v
	}
	for _, list := range byDate {
		for x, a := range list {
			for _, b := range list[x+1:] {
				if find(a) == find(b) || ix.sents[evs[a].sent].sig&ix.sents[evs[b].sent].sig == 0 {
					continue
				}
				if cosine(vec(evs[a].sent), vec(evs[b].sent)) >= sameEventSimilarity {
					union(a, b)
				}
			}
		}
	}
	// The same sentence, dated or not: near-duplicates share one of the
	// rarest terms of each (prefix filtering, Chaudhuri et al. 2006).
	byTerm := map[int32][]int{}
	for i, e := range evs {
		for _, t := range ix.rarestTerms(e.sent, sameThing) {
			for _, j := range byTerm[t] {
				if find(i) != find(j) && datesAgree(evs[i].date, evs[j].date) && ix.sameThing(evs[i].sent, evs[j].sent) {
					union(i, j)
				}
			}
			byTerm[t] = append(byTerm[t], i)
		}
	}
	var groups [][]*timelineEvent
	at := map[int]int{}
	for i, e := range evs {
		r := find(i)
		g, ok := at[r]
		if !ok {
			g = len(groups)
			at[r] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], e)
	}
	return groups
}

// sameEventSimilarity is the cosine at which two sentences that give the
// same date tell the same event. Measured on the seeds: the call's four
// tellings "on Wednesday" are 0.38 to 0.58 apart, the two tellings of
// Bogdanov's visit "last month" 0.40, sentences about other things on the
// same date under 0.25.
const sameEventSimilarity = 0.3

// key says which events give the same date: the date resolved, or else
// the date as written, read.
func (e *timelineEvent) key() string {
	if e.date.prec > 0 {
		return e.date.String()
	}
	t := e.tx
	return fmt.Sprintf("?%d-%d-%d-%d-%d-%d-%v", t.y, t.m, t.d, t.wd, t.rel, t.off, t.future)
}

// datesAgree reports whether two resolved dates can be one: equal, one
// unresolved, or one within the other ("2024-12" and "2024-12-08").
func datesAgree(a, b day) bool {
	if a.prec == 0 || b.prec == 0 {
		return true
	}
	sa, sb := a.String(), b.String()
	return strings.HasPrefix(sa, sb) || strings.HasPrefix(sb, sa)
}

// rarestTerms returns the terms of sentence i that a sentence sharing at
// least share of their terms with it (Jaccard) must have one of: the
// len − ⌈share·len⌉ + 1 rarest, by their number of sentences.
func (ix *Index) rarestTerms(i int32, share float64) []int32 {
	ts := slices.Clone(ix.sentenceTerms(i))
	slices.SortFunc(ts, func(a, b int32) int {
		if c := int(ix.terms[a].df - ix.terms[b].df); c != 0 {
			return c
		}
		return int(a - b)
	})
	n := len(ts) - int(math.Ceil(share*float64(len(ts)))) + 1
	return ts[:max(0, min(n, len(ts)))]
}

// articleEvents finds the dated sentences of one article, sentences lo to
// hi, and resolves their dates against its reference.
func (ix *Index) articleEvents(lo, hi int32) []*timelineEvent {
	type found struct {
		sent int32
		txs  []timex
		text string
	}
	var all []found
	latestYear := 0
	art := ix.sents[lo].art
	for i := lo; i < hi; i++ {
		s := &ix.sents[i]
		text := ix.texts[art][s.start:s.end]
		if !ix.mayHoldDate(i, text) {
			continue
		}
		txs := findTimexes(text)
		for _, tx := range txs {
			if tx.rel == relNone && tx.y > latestYear {
				latestYear = tx.y
			}
		}
		if s.headline || s.appeal || len(txs) == 0 {
			continue
		}
		all = append(all, found{i, txs, text})
	}
	// The reference: the header's date, or the day the text calls today.
	var ref time.Time
	if d := ix.sources[art].Date; d != "" {
		ref, _ = time.Parse(time.DateOnly, d)
	} else {
		for _, f := range all {
			for _, tx := range f.txs {
				if r := resolve(tx, time.Time{}, latestYear); tx.today && r.prec == 3 {
					ref = r.t
					break
				}
			}
			if !ref.IsZero() {
				break
			}
		}
	}
	var out []*timelineEvent
	for _, f := range all {
		tx := f.txs[0]
		for _, t := range f.txs {
			if !t.background {
				tx = t
				break
			}
		}
		out = append(out, &timelineEvent{
			sent:    f.sent,
			tx:      tx,
			date:    resolve(tx, ref, latestYear),
			written: f.text[tx.start:tx.end],
		})
	}
	return out
}

// mayHoldDate is a quick test that most sentences fail: whether sentence
// i has a word the date reader starts from (a month, a weekday, a year,
// "ago", "month", "today": the index's date terms), or "May", a stop word.
func (ix *Index) mayHoldDate(i int32, text string) bool {
	s := &ix.sents[i]
	for _, t := range ix.toks[s.tok : s.tok+s.ntok] {
		if t >= 0 && ix.terms[t].date {
			return true
		}
	}
	return strings.Contains(text, "May")
}

// resolve returns the date tx names, read against the reference ref (zero
// when the article has none); latestYear is the latest year the article
// writes, for the year of a weekday and day written without one.
func resolve(tx timex, ref time.Time, latestYear int) day {
	date := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	switch tx.rel {
	case relNone:
		switch {
		case tx.y > 0 && tx.m > 0 && tx.d > 0:
			return day{date(tx.y, tx.m, tx.d), 3}
		case tx.y > 0 && tx.m > 0:
			return day{date(tx.y, tx.m, 1), 2}
		case tx.y > 0:
			return day{date(tx.y, 1, 1), 1}
		case tx.m > 0 && tx.d > 0 && tx.wd > 0:
			// The weekday says the year: among those near the reference,
			// or else the two from the latest year the text names.
			var years []int
			switch {
			case !ref.IsZero():
				years = []int{ref.Year() - 1, ref.Year(), ref.Year() + 1}
			case latestYear > 0:
				years = []int{latestYear, latestYear + 1}
			}
			var hits []time.Time
			for _, y := range years {
				if t := date(y, tx.m, tx.d); int(t.Weekday())+1 == tx.wd && t.Day() == tx.d {
					hits = append(hits, t)
				}
			}
			if len(hits) == 1 {
				return day{hits[0], 3}
			}
			if len(hits) > 1 && !ref.IsZero() {
				return day{nearest(hits, ref), 3}
			}
			return day{}
		case tx.m > 0 && tx.d > 0 && !ref.IsZero():
			y := ref.Year()
			return day{nearest([]time.Time{date(y-1, tx.m, tx.d), date(y, tx.m, tx.d), date(y+1, tx.m, tx.d)}, ref), 3}
		case tx.m > 0 && tx.d == 0 && !ref.IsZero():
			y := ref.Year()
			refMonth := date(y, int(ref.Month()), 1)
			return day{nearest([]time.Time{date(y-1, tx.m, 1), date(y, tx.m, 1), date(y+1, tx.m, 1)}, refMonth), 2}
		}
		return day{}
	}
	if ref.IsZero() {
		return day{}
	}
	switch tx.rel {
	case relDay:
		return day{ref.AddDate(0, 0, tx.off), 3}
	case relMonth:
		return day{date(ref.Year(), int(ref.Month())+tx.off, 1), 2}
	case relYear:
		return day{date(ref.Year()+tx.off, 1, 1), 1}
	case relWeekday:
		t := ref
		step := -1
		if tx.future {
			step = 1
			t = t.AddDate(0, 0, 1)
		}
		for int(t.Weekday())+1 != tx.wd {
			t = t.AddDate(0, 0, step)
		}
		return day{t, 3}
	}
	return day{}
}

// nearest returns the time of ts nearest ref, the earlier on a tie.
func nearest(ts []time.Time, ref time.Time) time.Time {
	best := ts[0]
	for _, t := range ts[1:] {
		if dt, db := absDur(t.Sub(ref)), absDur(best.Sub(ref)); dt < db || dt == db && t.Before(best) {
			best = t
		}
	}
	return best
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// tword is one word of a sentence as the date reader sees it.
type tword struct {
	start, end int
	w          string // lower case
	raw        string
	cap        bool
	num        int // its value when it is a whole number in digits (or "8th"), else -1
}

// findTimexes returns the dates sentence s writes, in order.
func findTimexes(s string) []timex {
	var ws []tword
	tokenize(s, func(t token) {
		raw := s[t.start:t.end]
		w := tword{start: t.start, end: t.end, w: string(t.word), raw: raw, cap: t.flags&flagCap != 0, num: -1}
		if n, ok := wholeNumber(raw); ok {
			w.num = n
		}
		ws = append(ws, w)
	})
	var out []timex
	after := 0 // the word after the previous date
	for i := 0; i < len(ws); {
		tx, n := matchTimex(s, ws, i)
		if n == 0 {
			i++
			continue
		}
		// Leading words that belong to the date: "on", "in late", "earlier in".
		first := i
		for k := 0; k < 2 && first > after && dateLeads[ws[first-1].w] &&
			(gapIsSpace(s, ws[first-1].end, ws[first].start) || ws[first-1].w == "mid" && s[ws[first-1].end:ws[first].start] == "-"); k++ {
			first--
		}
		last := i + n - 1
		if last+1 < len(ws) && tx.wd > 0 && dayParts[ws[last+1].w] && gapIsSpace(s, ws[last].end, ws[last+1].start) {
			last++ // "Wednesday morning"
		}
		tx.start, tx.end = ws[first].start, ws[last].end
		if strings.HasPrefix(s[tx.end:], ".") && isAbbrevMonth(ws[last].w) {
			tx.end++ // "Dec."
		}
		// The words since the previous date govern this one.
		for _, w := range ws[after:first] {
			tx.background = tx.background || backgroundWords[w.w]
			tx.future = tx.future || tx.rel == relWeekday && futureWords[w.w]
		}
		// "today, Wednesday, February 12": one date, and it is today.
		if k := len(out) - 1; k >= 0 && out[k].rel == relDay && out[k].off == 0 && tx.rel == relNone &&
			gapIsDateJoin(s, out[k].end, tx.start) {
			tx.start, tx.today, tx.background = out[k].start, true, out[k].background
			out = out[:k]
		}
		out = append(out, tx)
		i = last + 1
		after = i
	}
	return out
}

// matchTimex reads a date at word i and returns it with the number of
// words it takes, 0 when there is none.
func matchTimex(s string, ws []tword, i int) (timex, int) {
	w := ws[i]
	word := func(k int) string {
		if k < len(ws) {
			return ws[k].w
		}
		return ""
	}
	// A weekday, and the date it may go with: "Tuesday, February 11".
	if wd, ok := weekdays[w.w]; ok && w.cap {
		if tx, n := matchMonthDate(s, ws, i+1); n > 0 && tx.d > 0 && gapIsDateJoin(s, w.end, ws[i+1].start) {
			tx.wd = wd
			return tx, n + 1
		}
		tx := timex{wd: wd, rel: relWeekday}
		if i > 0 {
			switch ws[i-1].w {
			case "next", "coming":
				tx.future = true
			case "last", "past":
				// the default
			}
		}
		return tx, 1
	}
	if tx, n := matchMonthDate(s, ws, i); n > 0 {
		return tx, n
	}
	// A year after a word that makes it a time: "in 2015", "mid-2024".
	if w.num >= 1800 && w.num <= 2099 && len(w.raw) == 4 && i > 0 && yearLeads[ws[i-1].w] {
		return timex{y: w.num}, 1
	}
	switch w.w {
	case "today", "tonight":
		if strings.IndexFunc(w.raw, isApostrophe) < 0 { // not "today's world"
			return timex{rel: relDay}, 1
		}
	case "yesterday":
		return timex{rel: relDay, off: -1}, 1
	case "tomorrow":
		return timex{rel: relDay, off: 1}, 1
	case "last", "this", "next", "past", "previous", "coming":
		off := map[string]int{"last": -1, "past": -1, "previous": -1, "this": 0, "next": 1, "coming": 1}[w.w]
		switch word(i + 1) {
		case "month":
			return timex{rel: relMonth, off: off}, 2
		case "year":
			return timex{rel: relYear, off: off}, 2
		case "week", "weekend":
			return timex{rel: relVague}, 2
		}
		if wd, ok := weekdays[word(i+1)]; ok && ws[i+1].cap {
			if off == 0 {
				return timex{wd: wd, rel: relVague}, 2 // "this Friday": which, the text does not say
			}
			return timex{wd: wd, rel: relWeekday, future: off > 0}, 2
		}
	case "earlier", "later":
		if word(i+1) == "this" {
			switch word(i + 2) {
			case "month":
				return timex{rel: relMonth}, 3
			case "year":
				return timex{rel: relYear}, 3
			case "week":
				return timex{rel: relVague}, 3
			}
		}
	}
	// "three days ago", "two years ago".
	if n, k := numberAt(ws, i); k > 0 && word(i+k+1) == "ago" {
		switch unit := word(i + k); unit {
		case "day", "days":
			return timex{rel: relDay, off: -n}, k + 2
		case "month", "months":
			return timex{rel: relMonth, off: -n}, k + 2
		case "year", "years":
			return timex{rel: relYear, off: -n}, k + 2
		case "week", "weeks", "hour", "hours", "decade", "decades":
			return timex{rel: relVague}, k + 2
		}
	}
	return timex{}, 0
}

// numberAt reads a number in digits or words at word i ("three", "3", "a").
func numberAt(ws []tword, i int) (int, int) {
	if i >= len(ws) {
		return 0, 0
	}
	if ws[i].num >= 0 {
		return ws[i].num, 1
	}
	if ws[i].w == "a" || ws[i].w == "an" {
		return 1, 1
	}
	words := make([]string, 0, 4)
	for k := i; k < len(ws) && k < i+4; k++ {
		words = append(words, ws[k].w)
	}
	if v, n := lexicon.Numbers(words); n > 0 && v == float64(int(v)) && v < 1000 {
		return int(v), n
	}
	return 0, 0
}

// matchMonthDate reads a date written with a month name at word i: "Dec.
// 8", "December 8, 2024", "8 December 2024", "December 2024", "in
// December".
func matchMonthDate(s string, ws []tword, i int) (timex, int) {
	if i >= len(ws) {
		return timex{}, 0
	}
	year := func(k int) int {
		if k < len(ws) && ws[k].num >= 1000 && ws[k].num <= 2999 && len(ws[k].raw) == 4 {
			return ws[k].num
		}
		return 0
	}
	dayOf := func(k, m int) int {
		if k < len(ws) && ws[k].num >= 1 && ws[k].num <= 31 && len(ws[k].raw) <= 4 && ws[k].num <= daysIn(m) {
			return ws[k].num
		}
		return 0
	}
	// "8 December [2024]"
	if m, ok := monthAt(ws, i+1); ok && gapIsSpace(s, ws[i].end, ws[i+1].start) {
		if d := dayOf(i, m); d > 0 {
			if y := year(i + 2); y > 0 && gapIsDateJoin(s, ws[i+1].end, ws[i+2].start) {
				return timex{y: y, m: m, d: d}, 3
			}
			return timex{m: m, d: d}, 2
		}
	}
	m, ok := monthAt(ws, i)
	if !ok {
		return timex{}, 0
	}
	// "December 8[, 2024]"
	if i+1 < len(ws) && gapIsDateJoin(s, ws[i].end, ws[i+1].start) {
		if d := dayOf(i+1, m); d > 0 && (i+2 >= len(ws) || !monthUnits[ws[i+2].w]) {
			if y := year(i + 2); y > 0 && gapIsDateJoin(s, ws[i+1].end, ws[i+2].start) {
				return timex{y: y, m: m, d: d}, 3
			}
			return timex{m: m, d: d}, 2
		}
		// "December 2024"
		if y := year(i + 1); y > 0 {
			return timex{y: y, m: m}, 2
		}
	}
	// "in December", "late December": a month alone needs a word before it.
	if i > 0 && monthLeads[ws[i-1].w] && ws[i].w != "may" && !isAbbrevMonth(ws[i].w) {
		return timex{m: m}, 1
	}
	return timex{}, 0
}

// monthAt returns the month named at word i, written with a capital; "May"
// and abbreviations count only when a day or year follows, which the
// callers check.
func monthAt(ws []tword, i int) (int, bool) {
	if i >= len(ws) || !ws[i].cap {
		return 0, false
	}
	m, ok := months[ws[i].w]
	return m, ok
}

func isAbbrevMonth(w string) bool {
	m, ok := months[w]
	return ok && len(w) <= 4 && w != strings.ToLower(time.Month(m).String())
}

func daysIn(m int) int {
	return time.Date(2024, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() // 2024: a leap year, so Feb 29 reads
}

// gapIsSpace reports whether only spaces separate two words.
func gapIsSpace(s string, a, b int) bool {
	return a <= b && strings.TrimSpace(s[a:b]) == "" && a < b
}

// gapIsDateJoin reports whether the text between two words of a date is
// what joins them: space, a comma, or the dot of an abbreviation.
func gapIsDateJoin(s string, a, b int) bool {
	if a >= b {
		return false
	}
	g := strings.TrimSpace(s[a:b])
	return g == "" || g == "," || g == "." || g == ".,"
}

// wholeNumber reads a whole number written in digits, with an ordinal
// ending allowed ("8th"); "2,000" and "3.5" are not one.
func wholeNumber(raw string) (int, bool) {
	r := strings.TrimRightFunc(raw, unicode.IsLetter)
	if r == "" || len(r) > 4 {
		return 0, false
	}
	if suf := strings.ToLower(raw[len(r):]); suf != "" && suf != "st" && suf != "nd" && suf != "rd" && suf != "th" {
		return 0, false
	}
	for i := 0; i < len(r); i++ {
		if r[i] < '0' || r[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(r)
	return n, err == nil
}

var (
	months = func() map[string]int {
		m := map[string]int{}
		for i := 1; i <= 12; i++ {
			name := strings.ToLower(time.Month(i).String())
			m[name] = i
			m[name[:3]] = i
		}
		m["sept"] = 9
		return m
	}()
	weekdays = func() map[string]int {
		m := map[string]int{}
		for i := range 7 {
			m[strings.ToLower(time.Weekday(i).String())] = i + 1
		}
		return m
	}()
	// dateLeads are words before a date that belong to how it is written.
	dateLeads = setOf(`on in since by until till from during early late mid earlier later before after
		through throughout at as of around about`)
	// monthLeads make a month alone a date: "in December", "late December".
	monthLeads = setOf(`in on since by until till from during early late mid of through throughout last next
		this since around before after`)
	// yearLeads make a number a year: "in 2015", "mid-2024", "the 1994 genocide".
	yearLeads = setOf(`in since by until till from during early late mid of through throughout the around
		before after between year`)
	// backgroundWords before a date make it the start of a period or the
	// time of another event, not the sentence's own.
	backgroundWords = setOf(`since after following before until till prior`)
	// futureWords before a weekday make it the next one.
	futureWords = setOf(`will next upcoming scheduled set due expected plans planned`)
	monthUnits  = setOf(`percent per cent million billion thousand hundred people years`)
	dayParts    = setOf(`morning afternoon evening night`)
)
