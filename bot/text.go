package bot

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/storybot/storybot/qa"
)

// Length is the length of s in UTF-16 code units, the unit Telegram counts
// in. It is never less than the number of characters, so limits checked with
// it hold on Discord too.
func Length(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// Split cuts text into pieces no longer than limit (by Length), preferring
// to cut after a sentence, then at a space, and only then inside a word.
func Split(text string, limit int) []string {
	if limit <= 0 {
		return []string{text}
	}
	var out []string
	for Length(text) > limit {
		cut := cutPoint(text, limit)
		out = append(out, strings.TrimSpace(text[:cut]))
		text = strings.TrimSpace(text[cut:])
	}
	if text != "" || len(out) == 0 {
		out = append(out, text)
	}
	return out
}

// cutPoint returns a byte offset at which text[:offset] fits in limit: the
// last sentence end that fits (by the core's splitter, so "U.S. " or a
// quote closing mid-sentence is no end), else the last space, else as much
// as fits.
func cutPoint(text string, limit int) int {
	n, fit, space := 0, 0, -1
	for i, r := range text {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > limit {
			break
		}
		n += w
		fit = i + utf8.RuneLen(r)
		if unicode.IsSpace(r) {
			space = i
		}
	}
	// Whether a full stop ends a sentence depends on what follows it.
	window := text[:min(len(text), fit+lookahead)]
	ends := qa.SentenceEnds(window)
	if len(window) < len(text) && len(ends) > 0 {
		ends = ends[:len(ends)-1] // the window's edge, not a sentence's
	}
	for i := len(ends) - 1; i >= 0; i-- {
		if e := ends[i]; e > 0 && e <= fit {
			return e
		}
	}
	switch {
	case space > 0:
		return space
	case fit > 0:
		return fit
	}
	_, size := utf8.DecodeRuneInString(text)
	return size
}

// lookahead is how far past a cut cutPoint looks to tell a sentence end.
const lookahead = 16

// Pack joins blocks with sep into as few messages as possible, each no
// longer than limit. A block longer than limit on its own must be split by
// the caller first (see Split); Pack puts it in a message of its own.
func Pack(blocks []string, sep string, limit int) []string {
	sizes := make([]int, len(blocks))
	for i, b := range blocks {
		sizes[i] = Length(b)
	}
	return PackSized(blocks, sizes, sep, limit)
}

// PackSized is Pack for blocks whose length is not their own, such as
// markup of which only the text it shows counts: sizes[i] is the length of
// blocks[i], and the separator counts as Length(sep).
func PackSized(blocks []string, sizes []int, sep string, limit int) []string {
	var out []string
	var cur strings.Builder
	n := 0
	for i, b := range blocks {
		if cur.Len() > 0 && n+Length(sep)+sizes[i] > limit {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		if cur.Len() > 0 {
			cur.WriteString(sep)
			n += Length(sep)
		}
		cur.WriteString(b)
		n += sizes[i]
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// About says in one sentence what the service answers from.
func (s *Service) About() string {
	n := len(s.qa.Sources())
	return fmt.Sprintf("I answer questions about %s with sentences quoted from %d %s, naming the source of each quote.",
		s.topic(), n, Plural(n, "article", "articles"))
}

// Replies of the adapters' own, the same on every platform.
const (
	// BusyText tells whoever asks that their question was refused because
	// the bot holds as many questions as it can: their chat or channel
	// has its share queued, or every worker and queue place is taken.
	BusyText = "I am busy with many questions here right now: please ask again in a minute."
	// ErrorText tells whoever asked that answering their question failed
	// (a panic recovered in the adapter).
	ErrorText = "Sorry, something went wrong while answering that. Please ask again."
)

// Message returns the plain text for a reply that carries no answers:
// NotFound, Empty, TooLong and Limited. Adapters escape it for their markup.
func (s *Service) Message(r Reply) string {
	switch r.Kind {
	case NotFound:
		return fmt.Sprintf("I could not find that in the articles. I only know what %d %s about %s say; /sources lists them.",
			len(s.qa.Sources()), Plural(len(s.qa.Sources()), "article", "articles"), s.topic())
	case TooLong:
		return fmt.Sprintf("That question is too long: please keep it under %d characters.", s.cfg.MaxQuestion)
	case Limited:
		return "You are asking faster than I can answer: please wait a little before the next question."
	case Empty:
		return "Ask me a question in plain words. " + s.About()
	case Story:
		return storyText(r)
	}
	return ""
}

// maxStoryLines bounds the events or people a timeline or who's who lists.
const maxStoryLines = 15

// storyText words a timeline or who's who as plain lines, each with its
// source: the adapters escape and split it like any text.
//
//	Timeline:
//	• 2024-12-08 (on Dec. 8): Assad was deposed by a rebel offensive on Dec. 8. — Title
func storyText(r Reply) string {
	var b strings.Builder
	switch r.Story {
	case qa.StoryTimeline:
		b.WriteString("Timeline:")
		for i, e := range r.Events {
			if i == maxStoryLines {
				fmt.Fprintf(&b, "\n…and %d more", len(r.Events)-i)
				break
			}
			when := e.Date
			switch {
			case when == "":
				when = e.Written
			case e.Written != "":
				when += " (" + e.Written + ")"
			}
			fmt.Fprintf(&b, "\n• %s: %s — %s", when, e.Text, e.Source.String())
		}
	case qa.StoryPeople:
		b.WriteString("Who's who:")
		for i, p := range r.People {
			if i == maxStoryLines {
				fmt.Fprintf(&b, "\n…and %d more", len(r.People)-i)
				break
			}
			fmt.Fprintf(&b, "\n• %s", p.Name)
			if p.Role != "" {
				fmt.Fprintf(&b, " — %s", p.Role)
			}
			fmt.Fprintf(&b, " (%d %s)", p.Mentions, Plural(p.Mentions, "mention", "mentions"))
		}
	}
	return b.String()
}

func (s *Service) topic() string {
	if s.cfg.Topic != "" {
		return s.cfg.Topic
	}
	return "the news story"
}

// Plural returns one when n is 1, else many: Plural(n, "article", "articles").
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
