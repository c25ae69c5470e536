package telegram

import (
	"strings"
	"testing"

	"github.com/storybot/storybot/qa"
)

// A quote that leans on the sentence before carries it, in italics before
// the quote, escaped like every piece of article text.
func TestRenderContext(t *testing.T) {
	a := qa.Answer{Text: "He met with Sharaa.", Context: "Bogdanov <b>visited</b> Damascus & left.",
		Source: qa.Source{ID: "a", Title: "Title"}}
	msgs := renderAnswers([]qa.Answer{a}, 4096)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages: %q", len(msgs), msgs)
	}
	m := msgs[0]
	ctx, quote := strings.Index(m, "<i>Bogdanov &lt;b&gt;visited&lt;/b&gt; Damascus &amp; left.</i>"), strings.Index(m, "<blockquote>He met with Sharaa.</blockquote>")
	if ctx < 0 || quote < 0 || ctx > quote {
		t.Errorf("message %q: want the escaped context in italics before the quote", m)
	}
	a.Context = ""
	if m := renderAnswers([]qa.Answer{a}, 4096)[0]; strings.Contains(m, "<i>Bogdanov") {
		t.Errorf("no context, got %q", m)
	}
}

// An article's url: header makes its title a link, the address escaped.
func TestRenderSourceLink(t *testing.T) {
	a := qa.Answer{Text: "The call took place.", Source: qa.Source{ID: "a", Title: "Call <b>", URL: `https://example.com/a?x=1&y="2"`}}
	m := renderAnswers([]qa.Answer{a}, 4096)[0]
	if want := `<a href="https://example.com/a?x=1&amp;y=&quot;2&quot;"><b>Call &lt;b&gt;</b></a>`; !strings.Contains(m, want) {
		t.Errorf("message %q lacks %q", m, want)
	}
}
