package telegram

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/bottest"
	"github.com/storybot/storybot/bot/telegram/telegramtest"
	"github.com/storybot/storybot/qa"
)

// storyQA is fakeQA with views of the whole story, as *qa.Index gives them.
type storyQA struct {
	*fakeQA
	summary  []qa.Answer
	timeline []qa.Event
	people   []qa.Person
}

func (s *storyQA) Summary() []qa.Answer { return s.summary }
func (s *storyQA) Timeline() []qa.Event { return s.timeline }
func (s *storyQA) People() []qa.Person  { return s.people }

func newStoryQA() *storyQA {
	return &storyQA{
		fakeQA: newQA(),
		summary: []qa.Answer{
			{Text: "Putin and al-Sharaa held their first call since Assad fell.", Source: srcMT},
			{Text: "The Kremlin called the visit an important trip.", Source: srcTASS},
		},
		timeline: bottest.StoryEvents(srcMT, srcTASS),
		people:   bottest.StoryPeople(srcMT),
	}
}

// entityTexts returns the text of every entity of type typ in s, in order.
func entityTexts(s telegramtest.Sent, typ string) []string {
	var out []string
	for _, e := range s.Entities {
		if e.Type == typ {
			out = append(out, telegramtest.Slice(s.Plain, e.Offset, e.Length))
		}
	}
	return out
}

// TestStoryCommands: /summary, /timeline and /who answer with the story's
// views, in private chats and, addressed to this bot or to none, in
// groups; "what happened?", "timeline" and "who's who" asked in words get
// the same replies; the command menu offers the three.
func TestStoryCommands(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	s := newStoryQA()
	h := start(t, fake, options{qa: s.fakeQA, answerer: s})

	sum := h.ask(31, "/summary")
	if sum.ParseMode != "HTML" {
		t.Errorf("/summary parse mode %q, want HTML", sum.ParseMode)
	}
	if got, want := entityTexts(sum, "blockquote"), []string{s.summary[0].Text, s.summary[1].Text}; !slices.Equal(got, want) {
		t.Errorf("/summary quotes %q, want the summary's sentences %q; message %q", got, want, sum.Plain)
	}
	if got := entityTexts(sum, "bold"); !slices.Equal(got, []string{srcMT.Title, srcTASS.Title}) {
		t.Errorf("/summary sources %q, want each quote's title", got)
	}

	tl := h.ask(31, "/timeline")
	if tl.ParseMode != "HTML" || len(tl.Entities) != 0 {
		t.Errorf("/timeline parse mode %q, entities %+v: want escaped HTML, no formatting", tl.ParseMode, tl.Entities)
	}
	if !bottest.InOrder(tl.Plain, "2024-12-08", s.timeline[0].Text, srcMT.String(), "2025-02-12", s.timeline[1].Text, srcTASS.String()) {
		t.Errorf("/timeline = %q, want each event's date, sentence and source, in order", tl.Plain)
	}

	who := h.ask(31, "/who")
	if !bottest.InOrder(who.Plain, "Ahmed al-Sharaa — Syria's interim president", "Dmitry Peskov — Kremlin spokesman") {
		t.Errorf("/who = %q, want each person with their role, in order", who.Plain)
	}

	// In words, as a question: the same replies, not dropped.
	for _, tc := range []struct {
		text string
		want telegramtest.Sent
	}{{"what happened?", sum}, {"timeline please", tl}, {"who's who", who}} {
		r := h.ask(31, tc.text)
		if r.Text != tc.want.Text || r.ParseMode != tc.want.ParseMode {
			t.Errorf("%q = %q (%s), want the command's reply %q (%s)", tc.text, r.Text, r.ParseMode, tc.want.Text, tc.want.ParseMode)
		}
	}

	// Groups: /cmd and /cmd@thisbot are answered, /cmd@otherbot is not.
	const group = -3003
	h.checkGroupRoutes(group, []groupRoute{
		{text: "/summary", want: s.summary[0].Text},
		{text: "/who@" + botName, want: "Dmitry Peskov — Kremlin spokesman"},
		{text: "/Timeline@StoryBot_Test_Bot", want: s.timeline[1].Text},
		{text: "/timeline@some_other_bot"},
		{text: "/who@some_other_bot"},
	})

	if got := h.qa.questions(); len(got) != 1 || got[0] != "echo sentinel" {
		t.Errorf("the core was asked %q: the story's views are not questions", got)
	}
	var menu []string
	for _, c := range fake.Commands() {
		menu = append(menu, c.Command)
	}
	for _, c := range []string{"summary", "timeline", "who"} {
		if !slices.Contains(menu, c) {
			t.Errorf("setMyCommands = %q, want /%s in the menu", menu, c)
		}
	}
	help := h.ask(31, "/help")
	if !bottest.InOrder(help.Plain, "/summary", "/timeline", "/who") {
		t.Errorf("/help = %q, want the story commands in it", help.Plain)
	}
}

// storyArticle is a small article whose title and text hold markup: the
// real index's views of it must reach the reader verbatim.
const storyArticle = "---\ntitle: Granite <b>tower</b> & </blockquote> hands\noutlet: Harbour <i>Gazette</i>\ndate: 2025-03-04\n---\n" +
	"Miriam Okafor, the harbour master, took over the granite tower on Monday.\n" +
	"The council voted on 12 February 2025 to sell the tower to the trust.\n" +
	"Okafor said the bell would ring again at noon <i>every</i> day & all were welcome.\n" +
	"Tomas Reyes, the council's treasurer, said the sale raised 40,000 pounds for the </b> harbour fund.\n" +
	"Reyes said repairs began in January.\n"

func storyIndex(t *testing.T) *qa.Index {
	t.Helper()
	art, err := qa.ParseArticle("harbour", []byte(storyArticle))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := qa.NewIndex([]qa.Article{art})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestStoryFromArticles runs the commands over the real index: every
// sentence, date, name and source of its views reaches the reader as the
// article has it, markup included, and none of it becomes formatting (the
// fake parses HTML as strictly as the Bot API).
func TestStoryFromArticles(t *testing.T) {
	ix := storyIndex(t)
	summary, timeline, people := ix.Summary(), ix.Timeline(), ix.People()
	if len(summary) == 0 || len(timeline) < 2 || len(people) < 2 {
		t.Fatalf("the index gives %d summary sentences, %d events, %d people: too few to test with", len(summary), len(timeline), len(people))
	}
	fake := telegramtest.New(t, testToken)
	h := start(t, fake, options{answerer: ix})
	title := "Granite <b>tower</b> & </blockquote> hands"

	sum := h.ask(41, "/summary")
	var want []string
	for _, a := range summary {
		want = append(want, a.Text)
	}
	if got := entityTexts(sum, "blockquote"); !slices.Equal(got, want) {
		t.Errorf("/summary quotes %q, want the summary verbatim %q", got, want)
	}
	for _, b := range entityTexts(sum, "bold") {
		if b != title {
			t.Errorf("/summary source %q, want the title verbatim %q", b, title)
		}
	}
	if n := len(sum.Entities); n != 3*len(summary) {
		t.Errorf("/summary has %d entities, want a blockquote, a bold title and an italic outlet per quote: %+v", n, sum.Entities)
	}

	tl := h.ask(41, "/timeline")
	var subs []string
	for _, e := range timeline {
		subs = append(subs, e.Text, e.Source.String())
	}
	if !bottest.InOrder(tl.Plain, subs...) || !strings.Contains(tl.Plain, "Harbour <i>Gazette</i>") {
		t.Errorf("/timeline = %q, want every event and its source verbatim, in order", tl.Plain)
	}
	if len(tl.Entities) != 0 {
		t.Errorf("/timeline entities %+v: article markup became formatting", tl.Entities)
	}

	who := h.ask(41, "/who")
	var names []string
	for _, p := range people {
		names = append(names, p.Name)
	}
	if !bottest.InOrder(who.Plain, names...) || len(who.Entities) != 0 {
		t.Errorf("/who = %q (entities %+v), want %q in order, unformatted", who.Plain, who.Entities, names)
	}
}

// TestLongTimeline: a timeline longer than one message comes in several,
// each within Telegram's 4,096 characters, cut between lines, a line too
// long for a message of its own cut at its sentences; nothing is lost,
// whether asked by command or in words.
func TestLongTimeline(t *testing.T) {
	s := newStoryQA()
	s.timeline = bottest.LongTimeline("the <b>council</b> & the trust met again.", 10, 6000, srcMT)
	svc := bot.NewService(s, bot.Config{}, nil)
	want := svc.Message(svc.StoryView("test", "", qa.StoryTimeline))
	if bot.Length(want) <= 2*MaxMessage {
		t.Fatalf("the timeline is %d characters long, too short to test with", bot.Length(want))
	}

	fake := telegramtest.New(t, testToken)
	h := start(t, fake, options{qa: s.fakeQA, answerer: s})
	for _, text := range []string{"/timeline", "timeline"} {
		_, id := fake.AddMessage(telegramtest.Message{UserID: 51, Text: text})
		_, next := fake.AddMessage(telegramtest.Message{UserID: 51, Text: "/sources"})
		h.waitReply(51, next) // a chat's replies keep its order: every part is sent
		parts := repliesTo(fake.Sent(), 51, id)
		if len(parts) < 3 {
			t.Fatalf("%s: a %d-character timeline came in %d messages, want at least 3", text, bot.Length(want), len(parts))
		}
		var all []string
		for i, p := range parts {
			if n := telegramtest.Length(p.Plain); n > MaxMessage {
				t.Errorf("%s: part %d is %d characters long", text, i, n)
			}
			if p.ParseMode != "HTML" || len(p.Entities) != 0 {
				t.Errorf("%s: part %d parse mode %q, entities %+v: want escaped HTML", text, i, p.ParseMode, p.Entities)
			}
			all = append(all, p.Plain)
		}
		got := strings.Join(all, "\n")
		if !slices.Equal(strings.Fields(got), strings.Fields(want)) {
			t.Errorf("%s: the parts do not add up to the timeline:\n got %.300q\nwant %.300q", text, got, want)
		}
		for _, line := range strings.Split(want, "\n") {
			if bot.Length(line) > MaxMessage {
				continue
			}
			if !slices.ContainsFunc(all, func(p string) bool { return strings.Contains(p, line) }) {
				t.Errorf("%s: line %.80q is cut across messages", text, line)
			}
		}
	}
}

// TestStoryCommandsLimited: a view of the story is many messages, so the
// commands count against a user's flood control as questions do; another
// user is not held up.
func TestStoryCommandsLimited(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	s := newStoryQA()
	h := start(t, fake, options{qa: s.fakeQA, answerer: s, limit: bot.LimitConfig{Burst: 1, Every: time.Hour}})

	if r := h.ask(61, "/timeline"); !strings.Contains(r.Plain, s.timeline[0].Text) {
		t.Fatalf("first /timeline = %q, want the timeline", r.Plain)
	}
	if r := h.ask(61, "/who"); !strings.Contains(r.Plain, "please wait") {
		t.Errorf("/who over the flood limit = %q, want the flood notice", r.Plain)
	}
	if r := h.ask(62, "/who"); !strings.Contains(r.Plain, s.people[0].Name) {
		t.Errorf("another user's /who = %q, want who's who", r.Plain)
	}
}
