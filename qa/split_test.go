package qa

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func sentencesOf(para string) []string {
	var out []string
	for _, s := range splitSentences(para) {
		out = append(out, para[s.start:s.end])
	}
	return out
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"abbreviated month before a day",
			"Assad was deposed by a rebel offensive on Dec. 8. Assad and his family flew to Moscow.",
			[]string{"Assad was deposed by a rebel offensive on Dec. 8.", "Assad and his family flew to Moscow."}},
		{"initialism inside a sentence",
			"The U.S. Treasury and the E.U. maintain sanctions. France wants to lift some.",
			[]string{"The U.S. Treasury and the E.U. maintain sanctions.", "France wants to lift some."}},
		{"initialism ending a sentence",
			"Sanctions were imposed by the U.S. The Kremlin objected.",
			[]string{"Sanctions were imposed by the U.S.", "The Kremlin objected."}},
		{"title before a name",
			"Mr. Putin spoke with Dr. Smith. Gen. Abu Qasra agreed.",
			[]string{"Mr. Putin spoke with Dr. Smith.", "Gen. Abu Qasra agreed."}},
		{"ellipsis inside a quote",
			`Putin wished Sharaa "success... in solving the tasks facing the new leadership."`,
			[]string{`Putin wished Sharaa "success... in solving the tasks facing the new leadership."`}},
		{"ellipsis ending a sentence",
			"Power plants are managed by Russian experts... We do not want Russia to leave.",
			[]string{"Power plants are managed by Russian experts...", "We do not want Russia to leave."}},
		{"ellipsis inside an open quotation",
			`"Power plants are managed by Russian experts... We do not want Russia to leave," he said. Peskov agreed.`,
			[]string{`"Power plants are managed by Russian experts... We do not want Russia to leave," he said.`, "Peskov agreed."}},
		{"ellipsis inside an open curly quotation",
			"“Plants are run by experts… We want ties,” he said. Talks went on.",
			[]string{"“Plants are run by experts… We want ties,” he said.", "Talks went on."}},
		{"straight quote ends a sentence",
			`It reads, "Putin wished success to al-Sharaa." The Russian leader also stressed his support.`,
			[]string{`It reads, "Putin wished success to al-Sharaa."`, "The Russian leader also stressed his support."}},
		{"curly quotes",
			"Shaibani said, “There is an open wound.” “Any kind of respect will be met with respect,” he added.",
			[]string{"Shaibani said, “There is an open wound.”", "“Any kind of respect will be met with respect,” he added."}},
		{"question inside a quote continues",
			"“Why now?” asked the envoy. Nobody answered!",
			[]string{"“Why now?” asked the envoy.", "Nobody answered!"}},
		{"headline with no full stop",
			"Russia Seeks to Retain Military Presence in Syria",
			[]string{"Russia Seeks to Retain Military Presence in Syria"}},
		{"decimal number",
			"Growth was 3.5 percent. Prices rose.",
			[]string{"Growth was 3.5 percent.", "Prices rose."}},
		{"hyphenated name",
			"He met al-Sharaa. Al-Sharaa thanked him.",
			[]string{"He met al-Sharaa.", "Al-Sharaa thanked him."}},
		{"surrounding space", "  One sentence here.  ", []string{"One sentence here."}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		if got := sentencesOf(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: splitSentences(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// checkSpans asserts what every split must hold: ranges in order, inside
// the text, trimmed, and covering every non-space character.
func checkSpans(t *testing.T, para string, spans []span) {
	t.Helper()
	prev := 0
	covered := 0
	for _, s := range spans {
		if s.start < prev || s.end <= s.start || s.end > len(para) {
			t.Fatalf("splitSentences(%q): bad span %v after %d", para, s, prev)
		}
		text := para[s.start:s.end]
		if strings.TrimSpace(text) != text {
			t.Fatalf("splitSentences(%q): untrimmed sentence %q", para, text)
		}
		prev = s.end
		covered += len(strings.Join(strings.Fields(text), ""))
	}
	if want := len(strings.Join(strings.FieldsFunc(para, unicode.IsSpace), "")); utf8.ValidString(para) && covered != want {
		t.Fatalf("splitSentences(%q): sentences cover %d non-space bytes, want %d", para, covered, want)
	}
}

func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{
		"Assad was deposed on Dec. 8. He fled.",
		`He said "success... in solving." Then "Yes!" he said.`,
		"The U.S. and Mr. Smith… “Quoted.” (Bracketed.) End",
		"...", "a.b.c. D", "“”", ". . .", "\u00a0.\u00a0A",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, para string) {
		checkSpans(t, para, splitSentences(para))
	})
}

func TestSentenceEnds(t *testing.T) {
	text := "He met U.S. officials on Dec. 8. “It went well.”\nA headline\nShe left."
	var got []string
	prev := 0
	for _, e := range SentenceEnds(text) {
		got = append(got, strings.TrimSpace(text[prev:e]))
		prev = e
	}
	want := []string{"He met U.S. officials on Dec. 8.", "“It went well.”", "A headline", "She left."}
	if !slices.Equal(got, want) {
		t.Errorf("SentenceEnds cut %q, want %q", got, want)
	}
}
