package discord

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/qa"
)

// Discord's limits on one message, in characters. bot.Length counts UTF-16
// units, never fewer than characters, so text measured with it fits.
const (
	maxContent     = 2000
	maxEmbeds      = 10
	maxDescription = 4096
	maxFields      = 25
	maxFieldValue  = 1024
	maxEmbedTotal  = 6000 // all the embeds of one message together
)

// embedColor is the bar beside an answer embed.
const embedColor = 0x4F6D7A

// message is one Discord message of a reply, within Discord's limits.
type message struct {
	Content string
	Embeds  []*discordgo.MessageEmbed
}

// noMentions returns allowed_mentions with an empty parse list: whatever a
// question or an article says, @everyone, @here, roles and users, the
// message pings no one, not even the author it replies to.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// markdown holds the characters Discord markdown gives a meaning to:
// emphasis, strike, code, spoilers, quotes, headings, lists, masked links,
// and the < and @ that open mentions. Discord shows a backslash-escaped
// punctuation character as itself.
var markdown = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`,
	`>`, `\>`, `#`, `\#`, `-`, `\-`, `[`, `\[`, `]`, `\]`, `(`, `\(`, `)`, `\)`,
	`<`, `\<`, `@`, `\@`,
)

// escape returns text that Discord shows as written, with no formatting.
func escape(text string) string { return markdown.Replace(text) }

// splitEscaped cuts text into pieces whose escaped forms are no longer than
// limit, preferring to cut after a sentence, then at a space (bot.Split),
// and returns the escaped pieces.
func splitEscaped(text string, limit int) []string {
	var out []string
	text = strings.TrimSpace(text)
	for text != "" {
		var piece string
		piece, text = cutEscaped(text, limit)
		out = append(out, piece)
	}
	return out
}

// cutEscaped returns the escaped first piece of text (trimmed) that fits
// limit, and the rest of text. Cutting before escaping keeps a backslash
// with the character it escapes.
func cutEscaped(text string, limit int) (piece, rest string) {
	n := limit
	for {
		p := firstPiece(text, n)
		e := escape(p)
		if l := bot.Length(e); l > limit && n > 1 {
			// Escaping grew the piece: shrink in proportion.
			n = max(min(n*limit/l, n-1), 1)
			continue
		}
		return e, strings.TrimSpace(text[len(p):])
	}
}

// firstPiece returns bot.Split(text, n)[0], reading only the part of text
// that the first cut depends on: its first n+1 characters.
func firstPiece(text string, n int) string {
	runes := 0
	for i := range text {
		if runes == n+1 {
			text = text[:i]
			break
		}
		runes++
	}
	return bot.Split(text, n)[0]
}

// maxContext bounds the sentence shown before a quote that leans on it.
const maxContext = 1000

// fit returns text escaped and, when longer than limit, cut at a sentence
// boundary (or failing that a space) with an ellipsis.
func fit(text string, limit int) string {
	if e := escape(text); bot.Length(e) <= limit {
		return e
	}
	piece, _ := cutEscaped(strings.TrimSpace(text), limit-1)
	return piece + "…"
}

// textMessages returns plain text as escaped content messages.
func textMessages(text string) []message {
	var out []message
	for _, p := range splitEscaped(text, maxContent) {
		out = append(out, message{Content: p})
	}
	return out
}

// replyMessages renders a reply: answers (the summary's among them) as
// embeds, a timeline or who's who as lines, anything else as text. Silent
// gets no message.
func replyMessages(svc *bot.Service, r bot.Reply) []message {
	switch r.Kind {
	case bot.Silent:
		return nil
	case bot.Answered:
		embeds := make([]*discordgo.MessageEmbed, len(r.Answers))
		for i, a := range r.Answers {
			embeds[i] = answerEmbed(a)
		}
		return packEmbeds(embeds)
	case bot.Story:
		return lineMessages(svc.Message(r))
	}
	return textMessages(svc.Message(r))
}

// lineMessages renders text made of lines (a timeline or who's who, as the
// Service words it) as escaped content, packed whole lines at a time into
// messages within Discord's limit; a line too long for a message of its
// own is split at sentence boundaries.
func lineMessages(text string) []message {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) != "" {
			lines = append(lines, splitEscaped(line, maxContent)...)
		}
	}
	return contentMessages(bot.Pack(lines, "\n", maxContent))
}

// answerEmbed shows one quote: the sentence as the description, its source
// and the other sources that carry it as fields.
func answerEmbed(a qa.Answer) *discordgo.MessageEmbed {
	source := fit(a.Source.String(), maxFieldValue)
	if u := linkURL(a.Source.URL); u != "" && bot.Length(source)+len(u)+4 <= maxFieldValue {
		source = "[" + source + "](" + u + ")" // an article's url: header: its title links to it
	}
	fields := []*discordgo.MessageEmbedField{{Name: "Source", Value: source}}
	if len(a.AlsoIn) > 0 {
		fields = append(fields, &discordgo.MessageEmbedField{Name: "Also in", Value: alsoIn(a.AlsoIn)})
	}
	used := 0
	for _, f := range fields {
		used += bot.Length(f.Name) + bot.Length(f.Value)
	}
	room := min(maxDescription, maxEmbedTotal-used)
	desc := fit(a.Text, room)
	if a.Context != "" {
		// The sentence the quote leans on ("He met with…"), in italics before it.
		if avail := min(room-bot.Length(desc)-4, maxContext); avail >= 40 {
			desc = "*" + fit(a.Context, avail) + "*\n\n" + desc
		}
	}
	return &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Description: desc,
		Color:       embedColor,
		Fields:      fields,
	}
}

// linkURL returns url fit for a masked link: its brackets and any white
// space percent-encoded, so the link cannot end early; "" for none.
func linkURL(url string) string {
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "\n", "", "<", "%3C", ">", "%3E").Replace(url)
}

// alsoIn lists sources one to a line, as many as fit in a field value.
func alsoIn(srcs []qa.Source) string {
	lines := make([]string, len(srcs))
	for i, s := range srcs {
		lines[i] = fit(s.String(), maxFieldValue)
	}
	for n := len(lines); n > 0; n-- {
		v := strings.Join(lines[:n], "\n")
		if n < len(lines) {
			v += fmt.Sprintf("\nand %d more", len(lines)-n)
		}
		if bot.Length(v) <= maxFieldValue {
			return v
		}
	}
	return fmt.Sprintf("%d more articles", len(lines))
}

// embedLength is what Discord counts toward the 6,000 characters of a message.
func embedLength(e *discordgo.MessageEmbed) int {
	n := bot.Length(e.Title) + bot.Length(e.Description)
	for _, f := range e.Fields {
		n += bot.Length(f.Name) + bot.Length(f.Value)
	}
	if e.Footer != nil {
		n += bot.Length(e.Footer.Text)
	}
	if e.Author != nil {
		n += bot.Length(e.Author.Name)
	}
	return n
}

// packEmbeds puts embeds, in order, into as few messages as Discord's
// per-message limits allow.
func packEmbeds(embeds []*discordgo.MessageEmbed) []message {
	var out []message
	var cur message
	total := 0
	for _, e := range embeds {
		n := embedLength(e)
		if len(cur.Embeds) > 0 && (total+n > maxEmbedTotal || len(cur.Embeds) == maxEmbeds) {
			out = append(out, cur)
			cur, total = message{}, 0
		}
		cur.Embeds = append(cur.Embeds, e)
		total += n
	}
	if len(cur.Embeds) > 0 {
		out = append(out, cur)
	}
	return out
}

// sourcesMessages lists the articles.
func sourcesMessages(svc *bot.Service) []message {
	srcs := svc.Sources()
	lines := []string{fmt.Sprintf("I answer from %d articles:", len(srcs))}
	for _, s := range srcs {
		lines = append(lines, "• "+fit(s.Source.String(), maxContent-2))
	}
	return contentMessages(bot.Pack(lines, "\n", maxContent))
}

// helpText is how to ask, after the service's description of itself.
const helpText = "Ask with `/ask`, mention me with your question, or send me a direct message. " +
	"I reply with the sentences that answer it and the articles they come from. " +
	"`/summary` tells the story in brief, `/timeline` what happened when, `/who` who is who; `/sources` lists the articles."

// helpMessages says what the bot does and how to ask.
func helpMessages(svc *bot.Service) []message {
	blocks := append(splitEscaped(svc.About(), maxContent), helpText)
	return contentMessages(bot.Pack(blocks, "\n\n", maxContent))
}

func contentMessages(texts []string) []message {
	out := make([]message, len(texts))
	for i, t := range texts {
		out[i] = message{Content: t}
	}
	return out
}
