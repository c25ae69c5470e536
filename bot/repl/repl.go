// Package repl is the terminal platform of the bot: an interactive prompt
// with line editing and history (Interactive), the same conversation over
// plain lines of input when stdin is not a terminal (Run), and the readable
// rendering of one reply (Answer) that `storybot ask` prints.
//
// Everything printed that came from an article or from the user is cleaned
// of control characters and escape sequences first (see bot.Clean), so an
// article cannot move the cursor, recolour or clear the user's terminal.
package repl

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/storybot/storybot/bot"
)

// platform names the terminal in the service's metrics.
const platform = "terminal"

// maxLineBytes is the longest input line kept: anything longer is too long
// for a question (bot.Service allows 500 characters by default), and is cut
// here so a 100 KB line costs no more than a short one.
const maxLineBytes = 4096

// REPL answers questions typed at a terminal or read from lines of input.
// Create one with New.
type REPL struct {
	svc     *bot.Service
	width   func() int
	history string
	sources string // the command that lists the articles, named in hints
	dim     bool   // context is dimmed with an escape sequence: at a terminal
}

// Option configures a REPL.
type Option func(*REPL)

// WithWidth sets the function that reports the terminal width in columns,
// which answers are wrapped to. By default Run wraps to 80 columns and
// Interactive to the width of the terminal.
func WithWidth(width func() int) Option {
	return func(r *REPL) { r.width = width }
}

// WithHistory keeps the questions asked at the interactive prompt in the
// file at path, creating it and its folder when missing. History is best
// effort: when the file cannot be used, the prompt runs without it.
// An empty path (the default) keeps no history.
func WithHistory(path string) Option {
	return func(r *REPL) { r.history = path }
}

// WithSourcesCommand sets the command named in hints for listing the
// articles; the default is the prompt's own ":sources".
func WithSourcesCommand(cmd string) Option {
	return func(r *REPL) { r.sources = cmd }
}

// New returns a REPL that answers with svc.
func New(svc *bot.Service, opts ...Option) *REPL {
	r := &REPL{svc: svc, sources: ":sources"}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Run answers the questions read from in, one a line, writing the readable
// replies to out with a blank line between them and no prompt: it is the
// conversation for input that is not a terminal (echo question | storybot).
// The prompt's commands work too. It returns nil at the end of in or at
// :quit, and ctx.Err() when ctx is done first.
func (r *REPL) Run(ctx context.Context, in io.Reader, out io.Writer) error {
	first := true
	for l, err := range Lines(ctx, in, maxLineBytes) {
		if err != nil {
			return err
		}
		if !first {
			fmt.Fprintln(out)
		}
		first = false
		if r.handle(out, l) {
			return nil
		}
	}
	return nil
}

// handle answers one line of input or runs the command in it, and reports
// whether the user asked to quit.
func (r *REPL) handle(out io.Writer, l Line) (quit bool) {
	q := clean(l.Text)
	if l.Long {
		q = "" // a question, however it starts: too long
	}
	switch strings.ToLower(q) {
	case ":quit", ":q", ":exit", "quit", "exit":
		return true
	case ":help", ":h", ":?", "help":
		r.help(out)
		return false
	case ":sources", ":s":
		r.listSources(out)
		return false
	case ":summary":
		r.Story(out, "summary")
		return false
	case ":timeline":
		r.Story(out, "timeline")
		return false
	case ":who":
		r.Story(out, "people")
		return false
	}
	if strings.HasPrefix(q, ":") {
		cmd, _, _ := strings.Cut(q, " ")
		r.say(out, fmt.Sprintf("There is no command %s: type :help for the commands.", cmd))
		return false
	}
	r.AnswerLine(out, l)
	return false
}

// Answer writes the readable reply to question: the service's quotes, best
// first and numbered when there are several, each with its source; or a
// short message saying why there is no answer.
func (r *REPL) Answer(out io.Writer, question string) {
	r.AnswerLine(out, Line{Text: question})
}

// AnswerLine is Answer for a line of input, which may have been too long
// to read whole (Line.Long): that is too long a question, whatever its
// start holds.
func (r *REPL) AnswerLine(out io.Writer, l Line) {
	var rep bot.Reply
	if l.Long {
		rep = r.svc.Script(platform, bot.ScriptQuestion{Text: l.Text, Cut: true})
	} else {
		rep = r.svc.Ask(platform, platform, stripEscapes(l.Text))
	}
	r.writeReply(out, rep)
}

// Story prints a view of the whole story: view is "summary", "timeline"
// or "people".
func (r *REPL) Story(out io.Writer, view string) {
	r.writeReply(out, r.svc.StoryView(platform, platform, view))
}

// writeReply prints a reply: quotes, a timeline or who's who, or a short
// message saying why there is no answer.
func (r *REPL) writeReply(out io.Writer, rep bot.Reply) {
	switch rep.Kind {
	case bot.Answered:
		writeAnswers(out, rep.Answers, r.cols(), r.dim)
	case bot.NotFound:
		r.say(out, "I could not find that in the articles.")
		r.say(out, fmt.Sprintf("Try other words, or see what they cover with %s.", r.sources))
	case bot.Empty:
		if rep.Question == "" {
			r.say(out, "Type a question, or :help for help.")
		} else {
			r.say(out, "That has no words in it: ask a question in plain words.")
		}
	case bot.Story:
		// One filled paragraph a line: "• date: sentence — source".
		for _, line := range strings.Split(r.svc.Message(rep), "\n") {
			rest := ""
			if strings.HasPrefix(line, "• ") {
				rest = "  "
			}
			fill(out, "", rest, clean(line), r.cols())
		}
	default:
		r.say(out, r.svc.Message(rep))
	}
}

// stripEscapes removes terminal escape sequences from input: CSI (ESC [
// parameters, final byte), string sequences (ESC ] … up to BEL or ESC \),
// and ESC with one character. bot.Clean would only drop the ESC itself, so
// "\x1b[31mpeskov" would ask about "[31mpeskov".
func stripEscapes(s string) string {
	if !strings.ContainsRune(s, '\x1b') {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '\x1b' {
			b.WriteByte(s[i])
			i++
			continue
		}
		i++
		switch {
		case i >= len(s):
		case s[i] == '[':
			i++
			for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
				i++
			}
			if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
				i++
			}
		case strings.IndexByte("]P_^X", s[i]) >= 0:
			end := strings.IndexAny(s[i:], "\a\x1b")
			switch {
			case end < 0:
				i = len(s)
			case s[i+end] == '\a':
				i += end + 1
			default: // ESC \ ends it; a lone ESC starts the next sequence
				i += end
				if i+1 < len(s) && s[i+1] == '\\' {
					i += 2
				}
			}
		case s[i] >= 0x20 && s[i] <= 0x7e:
			i++
		}
	}
	return b.String()
}

func (r *REPL) help(out io.Writer) {
	r.say(out, r.svc.About())
	fmt.Fprint(out, `
Ask a question in plain words and press Enter. The answers are sentences
quoted word for word from the articles, best first, each with its source.
To go on about your last question, follow up with "he" or "it" ("what did
he say next?"), or ask the same of someone else with just "and" and a name.

  :sources   list the articles
  :summary   the story in a few of the articles' sentences ("what happened?" too)
  :timeline  the dated events, in order ("timeline")
  :who       who's who: the people the articles name, with their roles
  :help      show this help
  :quit      leave (Ctrl-D does too)

Ctrl-C clears the line; Up and Down recall earlier questions.
`)
}

func (r *REPL) listSources(out io.Writer) {
	srcs := r.svc.Sources()
	switch len(srcs) {
	case 0:
		r.say(out, "I have no articles.")
		return
	case 1:
		r.say(out, "I know 1 article:")
	default:
		r.say(out, fmt.Sprintf("I know %d articles:", len(srcs)))
	}
	for i, s := range srcs {
		n := fmt.Sprintf("%2d. ", i+1)
		text := fmt.Sprintf("%s (%d %s)", sourceName(s.Source), s.Sentences, bot.Plural(s.Sentences, "sentence", "sentences"))
		fill(out, n, strings.Repeat(" ", len(n)), text, r.cols())
	}
}

// say writes a message of the bot's own, wrapped.
func (r *REPL) say(out io.Writer, msg string) {
	fill(out, "", "", msg, r.cols())
}

func (r *REPL) cols() int {
	if r.width == nil {
		return defaultWidth
	}
	return r.width()
}
