package repl

import (
	"strings"
	"testing"
)

func TestFill(t *testing.T) {
	for _, tc := range []struct {
		first, rest, text string
		width             int
		want              string
	}{
		{"", "", "short line", 40, "short line\n"},
		{"", "", "  runs   of\twhite \n space  ", 40, "runs of white space\n"},
		{"1. ", "   ", "the quick brown fox jumps over the lazy dog", 20,
			"1. the quick brown\n   fox jumps over\n   the lazy dog\n"},
		{"", "  ", "a verylongwordthatdoesnotfitonthe line", 20,
			"a\n  verylongwordthatdo\n  esnotfitonthe line\n"},
		{"", "", "日本語の文章 です", 20, "日本語の文章 です\n"},
		{"", "", "日本語の文章日本語の文章", 20, "日本語の文章日本語の\n文章\n"},
		{"", "", "narrow terminals wrap at twenty columns", 5,
			"narrow terminals\nwrap at twenty\ncolumns\n"},
		{"label: ", "       ", "", 40, "label: \n"},
	} {
		var b strings.Builder
		fill(&b, tc.first, tc.rest, tc.text, tc.width)
		if b.String() != tc.want {
			t.Errorf("fill(%q, %q, %q, %d) = %q, want %q", tc.first, tc.rest, tc.text, tc.width, b.String(), tc.want)
		}
	}
}

func TestStripEscapes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"\x1b[31mred\x1b[0m", "red"},
		{"\x1b[2J\x1b[1;1Hhome", "home"},
		{"\x1b]8;;http://x.example\x07link\x1b]8;;\x07", "link"},
		{"\x1b]0;title\x1b\\after", "after"},
		{"\x1b]0;never ended", ""},
		{"\x1bcreset", "reset"},
		{"end\x1b", "end"},
		{"\x1b[", ""},
		{"\x1b\x1b[1mbold", "bold"},
		{"é\x1b[1mé", "éé"},
	} {
		if got := stripEscapes(tc.in); got != tc.want {
			t.Errorf("stripEscapes(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
