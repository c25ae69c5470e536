package repl

import (
	"fmt"
	"io"
	"strings"

	"github.com/chzyer/readline/runes"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/qa"
)

const (
	defaultWidth = 80 // columns when the width is unknown
	minWidth     = 20 // narrower terminals are wrapped as if this wide
)

// writeAnswers writes answers in their readable form, numbered when there
// are several:
//
//	storybot> who said it?
//	1. context: The sentence before, when the quote leans on it.
//	   “He said the quoted sentence, wrapped to the width, in
//	   quotation marks.”
//	   source:  Title — Outlet
//	   also in: Other title — Other outlet
//	            Third title
//
// Every piece of text is cleaned of control characters first. With dim,
// the context is dimmed (SGR 2), as at a terminal.
func writeAnswers(out io.Writer, answers []qa.Answer, width int, dim bool) {
	for i, a := range answers {
		first, rest := "", ""
		if len(answers) > 1 {
			if i > 0 {
				fmt.Fprintln(out)
			}
			first = fmt.Sprintf("%d. ", i+1)
			rest = strings.Repeat(" ", len(first))
		}
		if a.Context != "" {
			var b strings.Builder
			fill(&b, first+"context: ", rest+"         ", clean(a.Context), width)
			if dim {
				io.WriteString(out, "\x1b[2m"+strings.TrimSuffix(b.String(), "\n")+"\x1b[0m\n")
			} else {
				io.WriteString(out, b.String())
			}
			first = rest
		}
		fill(out, first, rest, "“"+clean(a.Text)+"”", width)
		fill(out, rest+"source:  ", rest+"         ", sourceName(a.Source), width)
		for j, s := range a.AlsoIn {
			label := "also in: "
			if j > 0 {
				label = "         "
			}
			fill(out, rest+label, rest+"         ", sourceName(s), width)
		}
	}
}

// sourceName is "Title — Outlet", cleaned for the terminal.
func sourceName(s qa.Source) string {
	title, outlet := clean(s.Title), clean(s.Outlet)
	if title == "" {
		title = clean(s.ID)
	}
	if outlet == "" {
		return title
	}
	return title + " — " + outlet
}

// fill writes text word-wrapped to width columns, the first line after
// first and the others after rest. Runs of white space become one space;
// a word longer than a line is broken where the line ends.
func fill(out io.Writer, first, rest, text string, width int) {
	if width <= 0 {
		width = defaultWidth
	}
	width = max(width, minWidth)
	var b strings.Builder
	b.WriteString(first)
	col := textWidth(first)
	start := col // column where the line's text starts
	for _, w := range strings.Fields(text) {
		ww := textWidth(w)
		if col > start && col+1+ww > width {
			b.WriteString("\n")
			b.WriteString(rest)
			col = textWidth(rest)
			start = col
		}
		if col > start {
			b.WriteByte(' ')
			col++
		}
		// A word wider than the line: break it at the edge.
		for _, r := range w {
			rw := runes.Width(r)
			if col+rw > width && col > start {
				b.WriteString("\n")
				b.WriteString(rest)
				col = textWidth(rest)
				start = col
			}
			b.WriteRune(r)
			col += rw
		}
	}
	b.WriteString("\n")
	io.WriteString(out, b.String())
}

// clean makes text from an article or a user safe to print: escape
// sequences and control characters go, runs of white space become one space.
func clean(s string) string { return bot.Clean(stripEscapes(s)) }

// textWidth is the number of columns s takes on a terminal.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runes.Width(r)
	}
	return n
}
