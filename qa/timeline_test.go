package qa

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// eventWith returns the first event whose text holds sub, or fails.
func eventWith(t *testing.T, evs []Event, sub string) Event {
	t.Helper()
	for _, e := range evs {
		if strings.Contains(e.Text, sub) {
			return e
		}
	}
	t.Fatalf("no event holds %q in %v", sub, evs)
	return Event{}
}

// checkTimeline checks what every timeline must be: each event's text
// verbatim in its article and its date written there, sorted by date with
// the unresolved last, and no sentence twice.
func checkTimeline(t *testing.T, ix *Index, evs []Event) {
	t.Helper()
	body := map[string]string{}
	for i, s := range ix.sources {
		body[s.ID] = ix.texts[i]
	}
	seen := map[string]bool{}
	last := ""
	unresolved := false
	for _, e := range evs {
		if !strings.Contains(body[e.Source.ID], e.Text) {
			t.Errorf("event %q is not in article %s", e.Text, e.Source.ID)
		}
		if e.Written == "" || !strings.Contains(e.Text, e.Written) {
			t.Errorf("event %q: date written %q is not in it", e.Text, e.Written)
		}
		if seen[e.Text] {
			t.Errorf("event %q is in the timeline twice", e.Text)
		}
		seen[e.Text] = true
		if e.AlsoIn == nil {
			t.Errorf("event %q: AlsoIn is nil, want empty", e.Text)
		}
		switch {
		case e.Date == "":
			unresolved = true
		case unresolved:
			t.Errorf("event %q dated %s comes after an unresolved one", e.Text, e.Date)
		case e.Date < last:
			t.Errorf("event %q dated %s comes after %s", e.Text, e.Date, last)
		default:
			last = e.Date
			if !validDate(e.Date) {
				t.Errorf("event %q: date %q is not YYYY, YYYY-MM or YYYY-MM-DD", e.Text, e.Date)
			}
		}
	}
}

func validDate(d string) bool {
	for _, layout := range []string{"2006", "2006-01", time.DateOnly} {
		if _, err := time.Parse(layout, d); err == nil && len(d) == len(layout) {
			return true
		}
	}
	return false
}

// TestTimelineSeeds checks the seeds' timeline as a reader would: Assad's
// fall on December 8 before Bogdanov's statement on February 11 before
// the call on Wednesday, February 12, their years found from the text
// (the seeds carry no date: header); and what the text leaves undated
// ("on Dec. 8" in an article that never says the year) is kept as written,
// undated, after them.
func TestTimelineSeeds(t *testing.T) {
	ix := seedIndex(t)
	evs := ix.Timeline()
	checkTimeline(t, ix, evs)
	fall := eventWith(t, evs, "change in leadership in Syria on December 8, 2024")
	bogdanov := eventWith(t, evs, "stated on Tuesday, February 11")
	call := eventWith(t, evs, "announced today, Wednesday, February 12")
	if fall.Date != "2024-12-08" || bogdanov.Date != "2025-02-11" || call.Date != "2025-02-12" {
		t.Errorf("dates: fall %q, Bogdanov %q, call %q; want 2024-12-08, 2025-02-11, 2025-02-12",
			fall.Date, bogdanov.Date, call.Date)
	}
	pos := func(e Event) int { return slices.IndexFunc(evs, func(x Event) bool { return x.Text == e.Text }) }
	if !(pos(fall) < pos(bogdanov) && pos(bogdanov) < pos(call)) {
		t.Errorf("order: fall %d, Bogdanov %d, call %d; want that order", pos(fall), pos(bogdanov), pos(call))
	}
	if call.Written != "today, Wednesday, February 12" || bogdanov.Written != "on Tuesday, February 11" {
		t.Errorf("written: %q, %q", call.Written, bogdanov.Written)
	}
	// Article 000 has no date and names no year but 2015: its "Dec. 8"
	// and "on Wednesday" are shown as written, never given a year.
	deposed := eventWith(t, evs, "deposed by a rebel offensive on Dec. 8")
	if deposed.Date != "" || deposed.Written != "on Dec. 8" {
		t.Errorf("Dec. 8 without a year: date %q written %q, want unresolved, \"on Dec. 8\"", deposed.Date, deposed.Written)
	}
	// "in 2015" and "in December 2024" are dates whatever the reference.
	if e := eventWith(t, evs, "became Syria’s de facto leader in December 2024"); e.Date != "2024-12" {
		t.Errorf("in December 2024: %q", e.Date)
	}
	if e := eventWith(t, evs, "intervened in 2015"); e.Date != "2015" {
		t.Errorf("in 2015: %q", e.Date)
	}
	// The call on Wednesday, in four undated articles, is one event.
	wed := eventWith(t, evs, "held their first phone call on Wednesday")
	if wed.Date != "" || len(wed.AlsoIn) < 2 {
		t.Errorf("the undated call: date %q, also in %v; want undated, in several articles", wed.Date, wed.AlsoIn)
	}
	// Bogdanov's visit "late last month" and "last month": one event.
	visit := eventWith(t, evs, "visited Damascus late last month")
	if len(visit.AlsoIn) != 1 || visit.AlsoIn[0].ID != "004_a237489d949624d0" {
		t.Errorf("Bogdanov's visit also in %v, want the article that says \"led the Russian delegation last month\"", visit.AlsoIn)
	}
}

// TestTimelineReference checks dates read against an article's date:
// header: weekdays, relative dates and days without a year resolve; the
// same report in an undated article joins the dated one and takes its
// date; a date nothing resolves stays as written.
func TestTimelineReference(t *testing.T) {
	ix := memIndex(t,
		"---\ndate: 2025-03-05\n---\n"+ // a Wednesday
			"Harbour mayor resigns\n"+
			"The harbour mayor resigned on Monday after a vote of no confidence by the council.\n"+
			"The council met yesterday to choose who will act as mayor until the election.\n"+
			"Last month, the council cut the harbour budget by a third.\n"+
			"The harbour wall was built in 1884 by the town's fishermen.\n"+
			"Voters will elect a new mayor on Friday, officials said.\n"+
			"In December, storms damaged the harbour wall and two piers.\n"+
			"Repairs to the piers began on March 1 and will take weeks.\n"+
			"Three days ago, a second storm flooded the fish market.\n"+
			"This week, engineers from the capital inspected the wall.\n"+
			"The mayor may return to politics, friends say, and 2,000 people signed a letter.",
		"Mayor quits\n"+
			"The harbour mayor resigned on Monday after a vote of no confidence by the town council.\n"+
			"On Tuesday the harbour office stayed closed all day to visitors.")
	evs := ix.Timeline()
	checkTimeline(t, ix, evs)
	for sub, want := range map[string][2]string{
		"resigned on Monday after a vote of no confidence by the council": {"2025-03-03", "on Monday"},
		"met yesterday":                {"2025-03-04", "yesterday"},
		"Last month, the council":      {"2025-02", "Last month"},
		"built in 1884":                {"1884", "in 1884"},
		"new mayor on Friday":          {"2025-03-07", "on Friday"},
		"In December, storms":          {"2024-12", "In December"},
		"began on March 1":             {"2025-03-01", "on March 1"},
		"Three days ago":               {"2025-03-02", "Three days ago"},
		"This week, engineers":         {"", "This week"},
		"office stayed closed all day": {"", "On Tuesday"},
	} {
		e := eventWith(t, evs, sub)
		if e.Date != want[0] || e.Written != want[1] {
			t.Errorf("%q: date %q written %q, want %q %q", sub, e.Date, e.Written, want[0], want[1])
		}
	}
	// The second article tells the resignation too, undated: one event,
	// dated by the first.
	n := 0
	for _, e := range evs {
		if strings.Contains(e.Text, "resigned on Monday") {
			n++
			if len(e.AlsoIn) != 1 || e.AlsoIn[0].ID != "b" || e.Source.ID != "a" {
				t.Errorf("the resignation: source %s also in %v, want a, also in b", e.Source.ID, e.AlsoIn)
			}
		}
		if strings.Contains(e.Text, "may return") {
			t.Errorf("%q holds no date: \"may\" is not the month, 2,000 not a year", e.Text)
		}
	}
	if n != 1 {
		t.Errorf("the resignation is in the timeline %d times, want once", n)
	}
}

// TestTimelineWrittenDates checks the date reader on its own: what it
// finds in a sentence, how it is written, and what it resolves to.
func TestTimelineWrittenDates(t *testing.T) {
	ref := time.Date(2025, 2, 12, 0, 0, 0, 0, time.UTC) // a Wednesday
	for _, c := range []struct {
		sentence, written, date string
		noRef                   string // the date with no reference and 2024 the latest year written
	}{
		{"Assad was deposed on Dec. 8.", "on Dec. 8", "2024-12-08", ""},
		{"It happened on December 8, 2024, in Damascus.", "on December 8, 2024", "2024-12-08", "2024-12-08"},
		{"He was born on 21 November 1694 in Paris.", "on 21 November 1694", "1694-11-21", "1694-11-21"},
		{"He spoke on Tuesday, February 11, in Dubai.", "on Tuesday, February 11", "2025-02-11", "2025-02-11"},
		{"He spoke on Monday, February 11, in Dubai.", "on Monday, February 11", "", ""}, // no such Monday near
		{"The fall of Assad in December 2024 changed everything.", "in December 2024", "2024-12", "2024-12"},
		{"Earlier in February, the minister spoke.", "Earlier in February", "2025-02", ""},
		{"Sharaa spoke in late December to the channel.", "in late December", "2024-12", ""},
		{"Russia intervened in 2015.", "in 2015", "2015", "2015"},
		{"Prices rose sharply in mid-2024.", "in mid-2024", "2024", "2024"},
		{"They met on Wednesday.", "on Wednesday", "2025-02-12", ""},
		{"They met Sunday morning.", "Sunday morning", "2025-02-09", ""},
		{"They will meet again next Monday.", "next Monday", "2025-02-17", ""},
		{"The talks will resume on Friday.", "on Friday", "2025-02-14", ""},
		{"The visit took place late last month.", "late last month", "2025-01", ""},
		{"The war ended late last year.", "late last year", "2024", ""},
		{"The rate fell two years ago.", "two years ago", "2023", ""},
		{"Officials met this week.", "this week", "", ""},
		{"The Kremlin announced today, Wednesday, February 12, that talks took place.", "today, Wednesday, February 12", "2025-02-12", "2025-02-12"},
		{"The call marked the first contact since the fall of Assad in December 2024, on Wednesday.", "on Wednesday", "2025-02-12", ""},
	} {
		txs := findTimexes(c.sentence)
		if len(txs) == 0 {
			t.Errorf("%q: no date found, want %q", c.sentence, c.written)
			continue
		}
		tx := txs[0]
		for _, x := range txs {
			if !x.background {
				tx = x
				break
			}
		}
		if got := c.sentence[tx.start:tx.end]; got != c.written {
			t.Errorf("%q: written %q, want %q", c.sentence, got, c.written)
		}
		if got := resolve(tx, ref, 2024).String(); got != c.date {
			t.Errorf("%q: date %q, want %q", c.sentence, got, c.date)
		}
		if got := resolve(tx, time.Time{}, 2024).String(); got != c.noRef {
			t.Errorf("%q with no reference: date %q, want %q", c.sentence, got, c.noRef)
		}
	}
	for _, none := range []string{
		"The mayor may resign.",
		"She will march on the capital.",
		"Some 2,000 people signed it, and 2015 people came.",
		"The 3.5 percent rise was a shock.",
		"Today's world is different.",
		"Sales rose 8 percent in the second quarter.",
	} {
		if txs := findTimexes(none); len(txs) > 0 {
			t.Errorf("%q: found %q, want no date", none, none[txs[0].start:txs[0].end])
		}
	}
}

// TestTimelineCached checks that the timeline is worked out once, the
// same for every caller at once, and that changing what one gets leaves
// the next one's alone.
func TestTimelineCached(t *testing.T) {
	ix := seedIndex(t)
	var wg sync.WaitGroup
	got := make([][]Event, 8)
	for i := range got {
		wg.Go(func() { got[i] = ix.Timeline() })
	}
	wg.Wait()
	for i := range got {
		if !slices.EqualFunc(got[i], got[0], eventsEqual) {
			t.Fatalf("Timeline differs between callers")
		}
	}
	got[0][0].Date = "changed"
	got[0][0].AlsoIn = append(got[0][0].AlsoIn, Source{ID: "x"})
	if again := ix.Timeline(); !slices.EqualFunc(again, got[1], eventsEqual) {
		t.Errorf("a caller's change reached the cache")
	}
}

func eventsEqual(a, b Event) bool {
	return a.Date == b.Date && a.Written == b.Written && a.Text == b.Text && a.Source == b.Source &&
		slices.Equal(a.AlsoIn, b.AlsoIn)
}

// BenchmarkTimelineSeeds measures working the timeline out, what the
// first call to Timeline costs.
func BenchmarkTimelineSeeds(b *testing.B) {
	ix := seedIndex(b)
	b.ReportAllocs()
	for b.Loop() {
		ix.buildTimeline()
	}
}

// BenchmarkTimelineSOTU measures the timeline of 233 speeches, far more
// than a story.
func BenchmarkTimelineSOTU(b *testing.B) {
	ix, err := NewIndex(sotu(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ix.buildTimeline()
	}
}
