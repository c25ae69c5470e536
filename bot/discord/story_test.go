package discord

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/bottest"
	"github.com/storybot/storybot/bot/discord/discordtest"
	"github.com/storybot/storybot/qa"
)

// storyAnswerer is an answerer with views of the whole story, as
// *qa.Index gives them. With gate set, Timeline signals entered and waits
// for gate to close.
type storyAnswerer struct {
	*answerer
	summary  []qa.Answer
	timeline []qa.Event
	people   []qa.Person
	entered  chan struct{}
	gate     chan struct{}
}

func (s *storyAnswerer) Summary() []qa.Answer { return s.summary }
func (s *storyAnswerer) People() []qa.Person  { return s.people }
func (s *storyAnswerer) Timeline() []qa.Event {
	if s.gate != nil {
		s.entered <- struct{}{}
		<-s.gate
	}
	return s.timeline
}

func newStoryAnswerer() *storyAnswerer {
	return &storyAnswerer{
		answerer: &answerer{answer: fixed(quote)},
		summary: []qa.Answer{
			{Text: "Putin and al-Sharaa held their first call since Assad fell.", Source: src1},
			{Text: "Moscow offered help with the reconstruction.", Source: src2, AlsoIn: []qa.Source{src1}},
		},
		timeline: bottest.StoryEvents(src1, src2),
		people:   bottest.StoryPeople(src1),
	}
}

// unescaped returns the first character of content that Discord would
// read as markdown or the start of a mention, or "" when there is none.
func unescaped(content string) string {
	for i := 0; i < len(content); i++ {
		switch c := content[i]; {
		case c == '\\':
			i++ // the next character is shown as itself
		case strings.IndexByte("*_~`|>#-[]()<@", c) >= 0:
			return content[max(0, i-20):min(len(content), i+20)]
		}
	}
	return ""
}

var escapedRE = regexp.MustCompile(`\\([[:punct:]])`)

// shown returns the text a reader sees in escaped content.
func shown(content string) string { return escapedRE.ReplaceAllString(content, "$1") }

// sameEmbeds reports whether a and b show the same quotes and sources.
func sameEmbeds(a, b []discordtest.Embed) bool {
	return slices.EqualFunc(a, b, func(x, y discordtest.Embed) bool {
		return x.Description == y.Description && slices.Equal(x.Fields, y.Fields)
	})
}

// registered returns the slash commands of a bulk overwrite, by name,
// with their descriptions.
func registered(t *testing.T, r *discordtest.Request) map[string]string {
	t.Helper()
	var cmds []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	r.JSON(t, &cmds)
	out := map[string]string{}
	for _, c := range cmds {
		out[c.Name] = c.Description
	}
	return out
}

// TestStorySlashCommands: /summary, /timeline and /who are registered with
// the others and answer with the story's views, in a guild and in DMs;
// "what happened?", "timeline" and "who's who" asked in words get the same
// replies.
func TestStorySlashCommands(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := newStoryAnswerer()
	start(t, srv, newService(s))

	// The fake refuses a registration that breaks Discord's rules (names,
	// descriptions of 1-100 characters) with a 400.
	cmds := registered(t, srv.WaitRequest(t, discordtest.OK(discordtest.Commands(srv.AppID, ""))))
	for _, c := range []string{"summary", "timeline", "who", "ask", "sources", "help"} {
		if cmds[c] == "" {
			t.Errorf("registered %v, want /%s with a description", cmds, c)
		}
	}

	const ch, guild = "400000000000000031", "300000000000000001"
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("31001", "tok-31001", ch, guild, user, "summary", nil))
	r := srv.WaitRequest(t, discordtest.Callback("31001"))
	sum := discordtest.DecodeMessage(t, r)
	if r.CallbackType() != discordtest.ResponseMessage || r.Status != 204 || !sum.MentionsInert() {
		t.Errorf("/summary: response type %d, status %d, inert %v; want an accepted message that pings no one", r.CallbackType(), r.Status, sum.MentionsInert())
	}
	if len(sum.Embeds) != 2 {
		t.Fatalf("/summary = %q, want the two sentences in embeds", sum.Text())
	}
	for i, a := range s.summary {
		e := sum.Embeds[i]
		if e.Description != escape(a.Text) || len(e.Fields) == 0 || e.Fields[0].Value != escape(a.Source.String()) {
			t.Errorf("/summary embed %d = %q from %+v, want %q from %q", i, e.Description, e.Fields, a.Text, a.Source)
		}
	}
	if f := sum.Embeds[1].Fields; len(f) != 2 || f[1].Name != "Also in" || f[1].Value != escape(src1.String()) {
		t.Errorf("/summary's second quote fields %+v, want it also in %q", f, src1)
	}

	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("31002", "tok-31002", ch, guild, user, "timeline", nil))
	tl := discordtest.DecodeMessage(t, srv.WaitRequest(t, discordtest.Callback("31002")))
	if !bottest.InOrder(tl.Content, "2024\\-12\\-08", escape(s.timeline[0].Text), escape(src1.String()),
		"2025\\-02\\-12", escape(s.timeline[1].Text), escape(src2.String())) || len(tl.Embeds) != 0 {
		t.Errorf("/timeline = %q, want each event's date, sentence and source, escaped, in order", tl.Text())
	}

	// In a DM, too.
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("31003", "tok-31003", "500000000000000031", "", user, "who", nil))
	who := discordtest.DecodeMessage(t, srv.WaitRequest(t, discordtest.Callback("31003")))
	if !bottest.InOrder(who.Content, escape("Ahmed al-Sharaa — Syria's interim president"), escape("Dmitry Peskov — Kremlin spokesman")) {
		t.Errorf("/who = %q, want each person with their role, in order", who.Content)
	}
	for name, m := range map[string]discordtest.Message{"timeline": tl, "who": who} {
		if !m.MentionsInert() || unescaped(m.Content) != "" {
			t.Errorf("/%s can ping or format: inert %v, unescaped %q", name, m.MentionsInert(), unescaped(m.Content))
		}
	}

	// In words, mentioning the bot: the same replies.
	const words = "400000000000000032"
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "31101", words, "what happened?"))
	if m := replyTo(t, srv, words, "31101"); !sameEmbeds(m.Embeds, sum.Embeds) || m.Content != "" {
		t.Errorf("\"what happened?\" = %q, want the summary as /summary gives it", m.Text())
	}
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "31102", words, "timeline please"))
	if m := replyTo(t, srv, words, "31102"); m.Content != tl.Content || len(m.Embeds) != 0 {
		t.Errorf("\"timeline please\" = %q, want /timeline's %q", m.Text(), tl.Content)
	}
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "31103", words, "who's who?"))
	if m := replyTo(t, srv, words, "31103"); m.Content != who.Content {
		t.Errorf("\"who's who?\" = %q, want /who's %q", m.Text(), who.Content)
	}
	if q := s.Questions(); len(q) != 0 {
		t.Errorf("the core was asked %q: the story's views are not questions", q)
	}

	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("31004", "tok-31004", ch, guild, user, "help", nil))
	if m := discordtest.DecodeMessage(t, srv.WaitRequest(t, discordtest.Callback("31004"))); !bottest.InOrder(m.Content, "/summary", "/timeline", "/who") {
		t.Errorf("/help = %q, want the story commands in it", m.Content)
	}
}

// storyArticle is a small article whose title and text are full of
// markdown and mentions: the real index's views of it must reach the
// reader as written, pinging no one.
const storyArticle = "---\ntitle: **Granite** tower @everyone\noutlet: Harbour _Gazette_\ndate: 2025-03-04\n---\n" +
	"Miriam Okafor, the harbour master, took over the granite tower on Monday.\n" +
	"The council voted on 12 February 2025 to sell the tower to the trust, @here and now.\n" +
	"Okafor said the bell would ring again at noon ||every|| day and <@&55> was welcome.\n" +
	"Tomas Reyes, the council's treasurer, said the sale raised 40,000 pounds for the `harbour` fund.\n" +
	"Reyes said repairs began in January, [see](http://x) # more.\n"

// TestStoryFromArticles runs the commands over the real index: every
// sentence, name and source of its views is escaped, so that Discord shows
// it as the article has it, with no formatting and no ping.
func TestStoryFromArticles(t *testing.T) {
	t.Parallel()
	art, err := qa.ParseArticle("harbour", []byte(storyArticle))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := qa.NewIndex([]qa.Article{art})
	if err != nil {
		t.Fatal(err)
	}
	summary, timeline, people := ix.Summary(), ix.Timeline(), ix.People()
	if len(summary) == 0 || len(timeline) < 2 || len(people) < 2 {
		t.Fatalf("the index gives %d summary sentences, %d events, %d people: too few to test with", len(summary), len(timeline), len(people))
	}
	srv := discordtest.New(t)
	start(t, srv, newService(ix))
	srv.WaitSession(t)
	const ch, guild = "400000000000000033", "300000000000000001"
	source := "**Granite** tower @everyone (Harbour _Gazette_)"

	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("33001", "tok-33001", ch, guild, user, "summary", nil))
	sum := discordtest.DecodeMessage(t, srv.WaitRequest(t, discordtest.Callback("33001")))
	if len(sum.Embeds) != len(summary) || !sum.MentionsInert() {
		t.Fatalf("/summary = %q (inert %v), want %d quotes", sum.Text(), sum.MentionsInert(), len(summary))
	}
	for i, a := range summary {
		e := sum.Embeds[i]
		if e.Description != escape(a.Text) || unescaped(e.Description) != "" || shown(e.Description) != a.Text {
			t.Errorf("/summary quote %d = %q, want %q escaped", i, e.Description, a.Text)
		}
		if len(e.Fields) == 0 || shown(e.Fields[0].Value) != source || unescaped(e.Fields[0].Value) != "" {
			t.Errorf("/summary quote %d source %+v, want %q escaped", i, e.Fields, source)
		}
	}

	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("33002", "tok-33002", ch, guild, user, "timeline", nil))
	tl := discordtest.DecodeMessage(t, srv.WaitRequest(t, discordtest.Callback("33002")))
	var subs []string
	for _, e := range timeline {
		subs = append(subs, e.Text, source)
	}
	if !bottest.InOrder(shown(tl.Content), subs...) {
		t.Errorf("/timeline shows %q, want every event and its source as written, in order", shown(tl.Content))
	}
	if u := unescaped(tl.Content); u != "" || !tl.MentionsInert() {
		t.Errorf("/timeline: markdown %q left unescaped, inert %v", u, tl.MentionsInert())
	}

	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("33003", "tok-33003", ch, guild, user, "who", nil))
	who := discordtest.DecodeMessage(t, srv.WaitRequest(t, discordtest.Callback("33003")))
	var names []string
	for _, p := range people {
		names = append(names, p.Name)
	}
	if !bottest.InOrder(shown(who.Content), names...) || unescaped(who.Content) != "" || !who.MentionsInert() {
		t.Errorf("/who = %q, want %q in order, escaped", who.Content, names)
	}
}

// longTimeline returns s with a timeline of 20 events, one of them longer
// than a message, and the text the Service words it as.
func longTimeline(t *testing.T, s *storyAnswerer) string {
	t.Helper()
	s.timeline = bottest.LongTimeline("the **council** & @everyone met again.", 4, 3000, src1)
	svc := newService(&storyAnswerer{answerer: &answerer{}, timeline: s.timeline})
	want := svc.Message(svc.StoryView("test", "", qa.StoryTimeline))
	if bot.Length(escape(want)) <= 2*maxContent {
		t.Fatalf("the timeline is %d characters escaped, too short to test with", bot.Length(escape(want)))
	}
	return want
}

// checkParts checks that the contents of a reply's messages show want
// whole, in messages within Discord's limit, cut between lines unless a
// line does not fit in a message of its own.
func checkParts(t *testing.T, what string, parts []discordtest.Message, want string) {
	t.Helper()
	if len(parts) < 3 {
		t.Fatalf("%s: %d messages, want at least 3", what, len(parts))
	}
	var all []string
	for i, m := range parts {
		if n := len([]rune(m.Content)); n > discordtest.MaxContent || n == 0 || len(m.Embeds) != 0 {
			t.Errorf("%s: part %d is %d characters, %d embeds", what, i, n, len(m.Embeds))
		}
		if u := unescaped(m.Content); u != "" || !m.MentionsInert() {
			t.Errorf("%s: part %d leaves %q unescaped, inert %v", what, i, u, m.MentionsInert())
		}
		all = append(all, shown(m.Content))
	}
	if got := strings.Join(all, "\n"); !slices.Equal(strings.Fields(got), strings.Fields(want)) {
		t.Errorf("%s: the parts do not add up to the timeline:\n got %.300q\nwant %.300q", what, got, want)
	}
	for _, line := range strings.Split(want, "\n") {
		if bot.Length(escape(line)) > maxContent {
			continue
		}
		if !slices.ContainsFunc(all, func(p string) bool { return strings.Contains(p, line) }) {
			t.Errorf("%s: line %.80q is cut across messages", what, line)
		}
	}
}

// replies returns the messages sent to channel so far that answer message
// id: the first a reply to it, the rest the messages after it up to the
// next reply to another.
func replies(t *testing.T, srv *discordtest.Server, channel, id string) []discordtest.Message {
	t.Helper()
	var out []discordtest.Message
	for _, r := range srv.Requests(discordtest.OK(discordtest.Send(channel))) {
		m := discordtest.DecodeMessage(t, r)
		switch {
		case m.Reference != nil && m.Reference.MessageID == id:
			out = append(out, m)
		case m.Reference != nil:
			if len(out) > 0 {
				return out
			}
		case len(out) > 0:
			out = append(out, m)
		}
	}
	return out
}

// replySent matches the first message of the reply to message id in
// channel.
func replySent(channel, id string) discordtest.Match {
	return discordtest.OK(func(r *discordtest.Request) bool {
		var m struct {
			Reference *struct {
				MessageID string `json:"message_id"`
			} `json:"message_reference"`
		}
		return discordtest.Send(channel)(r) && json.Unmarshal(r.Body, &m) == nil && m.Reference != nil && m.Reference.MessageID == id
	})
}

// TestLongTimeline: a timeline longer than one message comes whole in
// several within Discord's 2,000 characters, as a slash command's response
// and follow-ups, and as a reply and the messages after it.
func TestLongTimeline(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := newStoryAnswerer()
	want := longTimeline(t, s)
	start(t, srv, newService(s))
	srv.WaitSession(t)

	const ch = "400000000000000034"
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("34001", "tok-34001", ch, "300000000000000001", user, "timeline", nil))
	// A channel's replies keep its order: once the next command has its
	// response, every follow-up of the first is sent.
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("34002", "tok-34002", ch, "300000000000000001", user, "sources", nil))
	srv.WaitRequest(t, discordtest.Callback("34002"))
	first := srv.Requests(discordtest.Callback("34001"))
	if len(first) != 1 || first[0].CallbackType() != discordtest.ResponseMessage || first[0].Status != 204 {
		t.Fatalf("/timeline responses %v, want one message response, accepted", statuses(first))
	}
	parts := []discordtest.Message{discordtest.DecodeMessage(t, first[0])}
	for _, r := range srv.Requests(discordtest.Followup("tok-34001")) {
		if r.Status != 200 {
			t.Errorf("follow-up answered %d: %s", r.Status, r.Body)
		}
		parts = append(parts, discordtest.DecodeMessage(t, r))
	}
	checkParts(t, "/timeline", parts, want)

	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "34101", ch, "timeline"))
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "34102", ch, "sources?"))
	srv.WaitRequest(t, replySent(ch, "34102"))
	checkParts(t, "timeline in words", replies(t, srv, ch, "34101"), want)
}

// TestLongTimelineAfterDeferral: a /timeline whose worker is slow gets the
// deferred response, like /ask; then its first message edits it and the
// rest follow, each within Discord's limits.
func TestLongTimelineAfterDeferral(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := newStoryAnswerer()
	want := longTimeline(t, s)
	s.entered, s.gate = make(chan struct{}, 1), make(chan struct{})
	opt, timers := withHandTimers()
	start(t, srv, newService(s), opt)
	srv.WaitSession(t)

	const ch = "400000000000000035"
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("35001", "tok-35001", ch, "", user, "timeline", nil))
	select { // the worker is working the timeline out...
	case <-s.entered:
	case <-time.After(discordtest.Deadline):
		t.Fatal("/timeline never reached the core's timeline")
	}
	nextTimer(t, timers).fire()
	deferral := srv.Requests(discordtest.Callback("35001"))
	if len(deferral) != 1 || deferral[0].CallbackType() != discordtest.ResponseDeferred || deferral[0].Status != 204 {
		t.Fatalf("responses %v: want one deferred response (5), accepted", statuses(deferral))
	}
	close(s.gate)

	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("35002", "tok-35002", ch, "", user, "sources", nil))
	nextTimer(t, timers) // armed, never fired: the worker answers it
	srv.WaitRequest(t, discordtest.Callback("35002"))
	edits := srv.Requests(discordtest.EditOriginal("tok-35001"))
	if len(edits) != 1 || edits[0].Status != 200 {
		t.Fatalf("edits of the deferred response %v, want one, accepted", statuses(edits))
	}
	parts := []discordtest.Message{discordtest.DecodeMessage(t, edits[0])}
	for _, r := range srv.Requests(discordtest.Followup("tok-35001")) {
		if r.Status != 200 || index(srv, r) < index(srv, edits[0]) {
			t.Errorf("follow-up answered %d, #%d after the edit #%d", r.Status, index(srv, r), index(srv, edits[0]))
		}
		parts = append(parts, discordtest.DecodeMessage(t, r))
	}
	checkParts(t, "/timeline after a deferral", parts, want)
	if n := len(srv.Requests(discordtest.Callback("35001"))); n != 1 {
		t.Errorf("%d interaction responses, want only the deferral", n)
	}
}

// TestStoryCommandsLimited: a view of the story is many messages, so the
// slash commands count against a user's flood control as /ask does; over
// it the user gets the notice, seen only by them.
func TestStoryCommandsLimited(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := newStoryAnswerer()
	start(t, srv, bot.NewService(s, bot.Config{Limit: bot.LimitConfig{Burst: 1, Every: time.Hour}}, nil))
	srv.WaitSession(t)

	const ch = "400000000000000036"
	ask := func(id, name string, opts map[string]string) discordtest.Message {
		t.Helper()
		srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand(id, "tok-"+id, ch, "", user, name, opts))
		return discordtest.DecodeMessage(t, srv.WaitRequest(t, discordtest.Callback(id)))
	}
	if m := ask("36003", "timeline", nil); !strings.Contains(m.Content, escape(s.timeline[0].Text)) {
		t.Fatalf("first /timeline = %q, want the timeline", m.Text())
	}
	const ephemeral = 1 << 6 // Discord's EPHEMERAL message flag
	if m := ask("36004", "who", nil); !strings.HasPrefix(m.Content, "You are asking faster") || m.Flags&ephemeral == 0 {
		t.Errorf("/who over the flood limit = %q (flags %v), want the ephemeral flood notice", m.Text(), m.Flags)
	}
}
