package telegram

// Rendering turns replies into Telegram HTML (parse_mode=HTML).
//
// Every piece of text that came from a user or an article goes through
// escape, so no question or article can open or close a tag. Telegram's
// length limit (MaxMessage) counts the text after the markup is parsed, so
// each rendered piece carries its visible length beside its HTML, and the
// packing below budgets by that.

import (
	"fmt"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/qa"
)

// MaxMessage is the longest message Telegram accepts, in UTF-16 code units
// of the text after entity parsing.
const MaxMessage = 4096

// escape replaces the three characters Telegram's HTML mode treats as markup.
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// html accumulates Telegram HTML and, beside it, the text a reader sees.
type html struct {
	markup strings.Builder
	plain  strings.Builder
}

// text appends s, escaped.
func (h *html) text(s string) *html {
	h.markup.WriteString(escape(s))
	h.plain.WriteString(s)
	return h
}

// tag appends s, escaped, inside <name>…</name>.
func (h *html) tag(name, s string) *html {
	h.markup.WriteString("<" + name + ">")
	h.text(s)
	h.markup.WriteString("</" + name + ">")
	return h
}

// link appends s, escaped and bold, as a link to url (an http or https
// address, as qa checks article headers); the quote in the attribute is
// escaped too.
func (h *html) link(url, s string) *html {
	h.markup.WriteString(`<a href="` + strings.ReplaceAll(escape(url), `"`, "&quot;") + `">`)
	h.tag("b", s)
	h.markup.WriteString("</a>")
	return h
}

func (h *html) piece() piece {
	return piece{HTML: h.markup.String(), n: bot.Length(h.plain.String())}
}

// piece is a run of Telegram HTML and its visible length.
type piece struct {
	HTML string
	n    int
}

// renderReply renders r for a chat, in messages of at most limit visible
// characters, and the parse mode to send them in: quotes (the summary's
// among them) as answers, a timeline or who's who as escaped lines, and
// anything else as the Service's plain text. Silent renders as nothing.
func renderReply(svc *bot.Service, r bot.Reply, limit int) ([]string, models.ParseMode) {
	switch r.Kind {
	case bot.Silent:
		return nil, ""
	case bot.Answered:
		return renderAnswers(r.Answers, limit), models.ParseModeHTML
	case bot.Story:
		return renderLines(svc.Message(r), limit), models.ParseModeHTML
	}
	return []string{svc.Message(r)}, ""
}

// renderLines renders text made of lines (a timeline or who's who, as the
// Service words it) escaped, packed whole lines at a time into messages of
// at most limit visible characters; a line too long for a message of its
// own is split at sentence boundaries.
func renderLines(text string, limit int) []string {
	var pieces []piece
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var h html
		h.text(line)
		pieces = append(pieces, splitPlain(h.piece(), limit)...)
	}
	return pack(pieces, "\n", limit)
}

// renderAnswers renders quotes as blockquotes, each followed by its source
// and the other sources that say the same, packed into as few messages of
// at most limit visible characters as possible. A quote too long for one
// message is split at sentence boundaries.
func renderAnswers(answers []qa.Answer, limit int) []string {
	var blocks []piece
	for _, a := range answers {
		blocks = append(blocks, renderAnswer(a, limit)...)
	}
	return pack(blocks, "\n\n", limit)
}

// renderAnswer renders one quote; more than one piece when it is too long.
func renderAnswer(a qa.Answer, limit int) []piece {
	var foot html
	foot.text("— ")
	if a.Source.URL != "" {
		foot.link(a.Source.URL, a.Source.Title)
	} else {
		foot.tag("b", a.Source.Title)
	}
	if a.Source.Outlet != "" {
		foot.text(", ").tag("i", a.Source.Outlet)
	}
	if len(a.AlsoIn) > 0 {
		names := make([]string, len(a.AlsoIn))
		for i, s := range a.AlsoIn {
			names[i] = s.String()
		}
		foot.text("\nAlso in: " + strings.Join(names, "; "))
	}
	footer := foot.piece()
	// "\n" between quote and footer; keep at least a few characters for the quote.
	room := limit - footer.n - 1
	if room < limit/2 {
		room = limit / 2 // an absurdly long title: the footer goes alone below
	}
	parts := bot.Split(a.Text, room)
	out := make([]piece, 0, len(parts)+2)
	if a.Context != "" {
		// The sentence the quote leans on ("He met with…"), in italics before it.
		var c html
		c.tag("i", truncate(a.Context, limit/2))
		out = append(out, c.piece())
	}
	for i, p := range parts {
		var h html
		h.tag("blockquote", p)
		q := h.piece()
		if i == len(parts)-1 && q.n+1+footer.n <= limit {
			q = piece{HTML: q.HTML + "\n" + footer.HTML, n: q.n + 1 + footer.n}
			footer.n = -1
		}
		out = append(out, q)
	}
	if footer.n >= 0 {
		out = append(out, splitPlain(footer, limit)...)
	}
	return out
}

// splitPlain is the last resort for a piece that does not fit: it drops
// the markup and splits the visible text.
func splitPlain(p piece, limit int) []piece {
	if p.n <= limit {
		return []piece{p}
	}
	var out []piece
	for _, s := range bot.Split(unescapeVisible(p.HTML), limit) {
		var h html
		h.text(s)
		out = append(out, h.piece())
	}
	return out
}

// unescapeVisible returns the visible text of HTML made by this file.
func unescapeVisible(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		if s[0] == '<' {
			if i := strings.IndexByte(s, '>'); i >= 0 {
				s = s[i+1:]
				continue
			}
		}
		b.WriteByte(s[0])
		s = s[1:]
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(b.String())
}

// pack joins pieces with sep into messages of at most limit visible characters.
func pack(pieces []piece, sep string, limit int) []string {
	html := make([]string, len(pieces))
	visible := make([]int, len(pieces))
	for i, p := range pieces {
		html[i], visible[i] = p.HTML, p.n
	}
	return bot.PackSized(html, visible, sep, limit)
}

// renderHelp is the /start and /help text.
func renderHelp(about, username string) string {
	var h html
	h.text(about).text("\n\n").tag("b", "How to ask").text("\n")
	h.text("• In a private chat with me, just send your question.\n")
	h.text("• In a group, write /ask and your question, mention @" + username +
		" in your question, or reply to one of my messages.\n")
	h.text("• In any chat, type @" + username + " and a question, then pick an answer.\n\n")
	h.text("/summary tells the story in brief, /timeline what happened when, /who who is who; /sources lists the articles.")
	return h.markup.String()
}

// renderSources is the /sources text, split if it is ever too long.
func renderSources(sources []qa.SourceInfo, limit int) []string {
	var head html
	head.tag("b", "The articles I answer from")
	pieces := []piece{head.piece()}
	for i, s := range sources {
		var h html
		h.text(fmt.Sprintf("%d. ", i+1)).tag("b", s.Title)
		if s.Outlet != "" {
			h.text(", ").tag("i", s.Outlet)
		}
		pieces = append(pieces, splitPlain(h.piece(), limit)...)
	}
	return pack(pieces, "\n", limit)
}

// inlineAnswer renders one quote as the message an inline result posts:
// like an answer in a chat, cut to one message.
func inlineAnswer(a qa.Answer) string {
	return renderAnswers([]qa.Answer{a}, MaxMessage)[0]
}

// truncate cuts s to at most n characters, ending in "…" when cut.
func truncate(s string, n int) string {
	if bot.Length(s) <= n {
		return s
	}
	return bot.Split(s, n-1)[0] + "…"
}
