package discord

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/qa"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain words, 2 of them.", "plain words, 2 of them."},
		{"**bold** __under__ *it* _it_", `\*\*bold\*\* \_\_under\_\_ \*it\* \_it\_`},
		{"~~gone~~ ||spoiler||", `\~\~gone\~\~ \|\|spoiler\|\|`},
		{"`code` ```block```", "\\`code\\` \\`\\`\\`block\\`\\`\\`"},
		{"> quote\n# Heading\n-# small\n- item", "\\> quote\n\\# Heading\n\\-\\# small\n\\- item"},
		{"[click](https://evil.example)", `\[click\]\(https://evil.example\)`},
		{"@everyone @here <@123> <@&456> <#789>", `\@everyone \@here \<\@123\> \<\@&456\> \<\#789\>`},
		{`back\slash \*`, `back\\slash \\\*`},
		{"al-Sharaa’s “call”", `al\-Sharaa’s “call”`},
	} {
		if got := escape(tc.in); got != tc.want {
			t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// unescape undoes escape, to check that cutting lost nothing.
func unescape(s string) string {
	var b strings.Builder
	esc := false
	for _, r := range s {
		if r == '\\' && !esc {
			esc = true
			continue
		}
		esc = false
		b.WriteRune(r)
	}
	return b.String()
}

func TestSplitEscapedKeepsEscapes(t *testing.T) {
	for _, tc := range []struct {
		text  string
		limit int
	}{
		{strings.Repeat("*", 101), 10},                          // nothing but markup, no spaces
		{strings.Repeat("a_b ", 50), 11},                        // markup inside words
		{strings.Repeat("One sentence here. ", 40), 100},        // sentences
		{strings.Repeat("😀*", 30), 7},                           // two UTF-16 units per emoji
		{"First **part**. Second part [x](y). Third part!", 20}, // mixed
	} {
		pieces := splitEscaped(tc.text, tc.limit)
		var joined strings.Builder
		for _, p := range pieces {
			if n := bot.Length(p); n > tc.limit {
				t.Errorf("splitEscaped(%.20q, %d): piece %q is %d long", tc.text, tc.limit, p, n)
			}
			if strings.HasSuffix(p, `\`) && !strings.HasSuffix(p, `\\`) {
				t.Errorf("splitEscaped(%.20q, %d): piece %q ends in a lone backslash", tc.text, tc.limit, p)
			}
			joined.WriteString(unescape(p))
		}
		noSpace := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if got, want := noSpace(joined.String()), noSpace(tc.text); got != want {
			t.Errorf("splitEscaped(%.20q, %d) lost text:\n got %q\nwant %q", tc.text, tc.limit, got, want)
		}
	}
}

func TestFitCutsAtSentence(t *testing.T) {
	text := "The first sentence is short. The second one is a good deal longer than that. A third."
	for _, tc := range []struct {
		limit int
		want  string
	}{
		{200, text},
		{60, "The first sentence is short.…"},
		{30, "The first sentence is short.…"},
		{20, "The first sentence…"}, // no sentence fits: a space
	} {
		if got := fit(text, tc.limit); got != tc.want {
			t.Errorf("fit(text, %d) = %q, want %q", tc.limit, got, tc.want)
		}
	}
}

// checkLimits fails the test for any message over Discord's limits.
func checkLimits(t *testing.T, msgs []message) {
	t.Helper()
	n := utf8.RuneCountInString
	for i, m := range msgs {
		if n(m.Content) > maxContent {
			t.Errorf("message %d: content %d characters", i, n(m.Content))
		}
		if m.Content == "" && len(m.Embeds) == 0 {
			t.Errorf("message %d is empty", i)
		}
		if len(m.Embeds) > maxEmbeds {
			t.Errorf("message %d: %d embeds", i, len(m.Embeds))
		}
		total := 0
		for j, e := range m.Embeds {
			if n(e.Description) > maxDescription {
				t.Errorf("message %d embed %d: description %d characters", i, j, n(e.Description))
			}
			if len(e.Fields) > maxFields {
				t.Errorf("message %d embed %d: %d fields", i, j, len(e.Fields))
			}
			for _, f := range e.Fields {
				if n(f.Value) > maxFieldValue || f.Value == "" || n(f.Name) > 256 {
					t.Errorf("message %d embed %d: field %q is %d characters", i, j, f.Name, n(f.Value))
				}
			}
			total += embedLength(e)
		}
		if total > maxEmbedTotal {
			t.Errorf("message %d: embeds total %d characters", i, total)
		}
	}
}

func TestReplyMessagesLimits(t *testing.T) {
	svc := newService(&answerer{})
	long := strings.Repeat("A sentence of some length goes here. ", 300) // ~11,000
	huge := qa.Source{Title: strings.Repeat("Very long headline ", 100), Outlet: "Outlet"}
	var many []qa.Source
	for i := range 60 {
		many = append(many, qa.Source{Title: fmt.Sprintf("Headline number %d with words", i), Outlet: "Some Outlet"})
	}
	for _, tc := range []struct {
		name    string
		answers []qa.Answer
		msgs    int
	}{
		{"short", []qa.Answer{{Text: "Short.", Source: src1}}, 1},
		{"three short fit one message", []qa.Answer{{Text: "One.", Source: src1}, {Text: "Two.", Source: src2}, {Text: "Three.", Source: src1}}, 1},
		{"long quote", []qa.Answer{{Text: long, Source: src1}}, 1},
		{"long everything", []qa.Answer{{Text: long, Source: huge, AlsoIn: many}, {Text: long, Source: huge, AlsoIn: many}}, 2},
		{"markup-heavy", []qa.Answer{{Text: strings.Repeat("*_", 5000), Source: src1}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msgs := replyMessages(svc, bot.Reply{Kind: bot.Answered, Answers: tc.answers})
			checkLimits(t, msgs)
			if len(msgs) != tc.msgs {
				t.Errorf("%d messages, want %d", len(msgs), tc.msgs)
			}
			embeds := 0
			for _, m := range msgs {
				embeds += len(m.Embeds)
			}
			if embeds != len(tc.answers) {
				t.Errorf("%d embeds for %d answers", embeds, len(tc.answers))
			}
		})
	}
}

func TestAlsoInTrims(t *testing.T) {
	var many []qa.Source
	for i := range 100 {
		many = append(many, qa.Source{Title: fmt.Sprintf("Headline %03d", i), Outlet: "X"})
	}
	got := alsoIn(many)
	if utf8.RuneCountInString(got) > maxFieldValue || !strings.HasPrefix(got, `Headline 000 \(X\)`) {
		t.Fatalf("alsoIn: %d characters, starting %.30q", utf8.RuneCountInString(got), got)
	}
	shown := strings.Count(got, "Headline")
	if want := fmt.Sprintf("and %d more", 100-shown); !strings.HasSuffix(got, want) {
		t.Errorf("alsoIn ends %q, want %q", got[len(got)-20:], want)
	}
}

func TestTextRepliesEscapedAndSplit(t *testing.T) {
	svc := bot.NewService(&answerer{}, bot.Config{Topic: strings.Repeat("the *big* story, ", 200)}, nil)
	for _, kind := range []bot.Kind{bot.NotFound, bot.Empty, bot.TooLong, bot.Limited} {
		msgs := replyMessages(svc, bot.Reply{Kind: kind})
		checkLimits(t, msgs)
		for _, m := range msgs {
			if len(m.Embeds) != 0 || strings.Contains(m.Content, " *big*") {
				t.Errorf("%v: message %.60q has embeds or unescaped markup", kind, m.Content)
			}
		}
	}
	if msgs := replyMessages(svc, bot.Reply{Kind: bot.Silent}); len(msgs) != 0 {
		t.Errorf("Silent rendered %d messages, want none", len(msgs))
	}
	checkLimits(t, helpMessages(svc))
	checkLimits(t, sourcesMessages(svc))
}

func TestPackEmbeds(t *testing.T) {
	small := func() *discordgo.MessageEmbed { return &discordgo.MessageEmbed{Description: "x"} }
	var twelve []*discordgo.MessageEmbed
	for range 12 {
		twelve = append(twelve, small())
	}
	if msgs := packEmbeds(twelve); len(msgs) != 2 || len(msgs[0].Embeds) != 10 || len(msgs[1].Embeds) != 2 {
		t.Errorf("12 small embeds packed as %d messages, want 10 + 2", len(msgs))
	}
}

func TestQuestion(t *testing.T) {
	const self = "1"
	me := &discordgo.User{ID: self, Bot: true}
	alice := &discordgo.User{ID: "2"}
	for _, tc := range []struct {
		name string
		m    discordgo.Message
		want string
		ok   bool
	}{
		{"dm", discordgo.Message{Author: alice, Content: "who?"}, "who?", true},
		{"mention", discordgo.Message{GuildID: "g", Author: alice, Content: "<@1> who?", Mentions: []*discordgo.User{me}}, "  who?", true},
		{"nick mention", discordgo.Message{GuildID: "g", Author: alice, Content: "hey <@!1> who?", Mentions: []*discordgo.User{me}}, "hey   who?", true},
		{"no mention", discordgo.Message{GuildID: "g", Author: alice, Content: "who?"}, "", false},
		{"other mention", discordgo.Message{GuildID: "g", Author: alice, Content: "<@3> who?", Mentions: []*discordgo.User{{ID: "3"}}}, "", false},
		{"own", discordgo.Message{Author: me, Content: "who?"}, "", false},
		{"bot", discordgo.Message{Author: &discordgo.User{ID: "4", Bot: true}, Content: "who?"}, "", false},
		{"webhook", discordgo.Message{Author: alice, WebhookID: "w", Content: "who?"}, "", false},
		{"system join", discordgo.Message{Author: alice, Type: discordgo.MessageTypeGuildMemberJoin}, "", false},
	} {
		got, ok := question(&tc.m, self)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: question = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// A quote that leans on the sentence before carries it, in italics before
// the quote, escaped like every piece of article text.
func TestAnswerEmbedContext(t *testing.T) {
	a := qa.Answer{Text: "He met with Sharaa.", Context: "Bogdanov *visited* Damascus @everyone.",
		Source: qa.Source{ID: "a", Title: "Title"}}
	e := answerEmbed(a)
	want := "*" + escape(a.Context) + "*\n\n" + escape(a.Text)
	if e.Description != want {
		t.Errorf("description %q, want %q", e.Description, want)
	}
	if strings.Contains(e.Description, "*visited*") {
		t.Errorf("the article's own markup got through: %q", e.Description)
	}
	a.Context = ""
	if e := answerEmbed(a); e.Description != escape(a.Text) {
		t.Errorf("no context: %q", e.Description)
	}
}

// An article's url: header links its title; the address cannot close the
// link early.
func TestAnswerEmbedSourceLink(t *testing.T) {
	a := qa.Answer{Text: "The call took place.", Source: qa.Source{ID: "a", Title: "Call *now*", URL: "https://example.com/a_(b)"}}
	got := answerEmbed(a).Fields[0].Value
	if want := "[" + escape("Call *now*") + "](https://example.com/a_%28b%29)"; got != want {
		t.Errorf("source field %q, want %q", got, want)
	}
	a.Source.URL = ""
	if got := answerEmbed(a).Fields[0].Value; got != escape("Call *now*") {
		t.Errorf("no url: %q", got)
	}
}
