package qa

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestConversationResolves checks each way a follow-up leans on the turns
// before it, a follow-up of a follow-up, and a new topic that inherits
// nothing.
func TestConversationResolves(t *testing.T) {
	ix := memIndex(t,
		"Mayor Carl Dahl said on Monday that the harbour tolls would end in spring.",
		"The tolls were brought in because the old bridge needed repairs.",
		"The city treasurer, Anna Berg, said the tolls raised two million a year.",
		"The new bridge over the Ness river is 300 metres long.",
	)
	var c Conversation
	steps := []struct{ q, asked string }{
		{"what did carl dahl say about the harbour tolls", "what did carl dahl say about the harbour tolls"},
		{"and when?", "and when? carl dahl harbour tolls"},
		{"why?", "why? carl dahl harbour tolls"}, // the chain goes on
		{"and anna berg?", "what did anna berg say about the harbour tolls"},
		{"what did she say they raised", "what did she say they raised anna berg harbour tolls"},
		{"how long is the new bridge", "how long is the new bridge"}, // a new topic
		{"and what river is it over", "and what river is it over new bridge"},
		{"did the Ness flood it", "did the Ness flood it river new bridge"}, // a name, but "it" still points back
	}
	for _, st := range steps {
		_, turn, err := ix.AskIn(&c, st.q)
		if err != nil {
			t.Fatal(err)
		}
		if turn.Asked != st.asked {
			t.Errorf("after %d turns, %q asked as %q, want %q", len(c.Turns)-1, st.q, turn.Asked, st.asked)
		}
	}
	if len(c.Turns) != MaxTurns {
		t.Errorf("conversation holds %d turns, want the last %d", len(c.Turns), MaxTurns)
	}
}

// TestConversationAnswers checks that the follow-ups are answered as a
// user means them, and that a person named only in the last answer is
// whom "he" means.
func TestConversationAnswers(t *testing.T) {
	ix := memIndex(t,
		"Mayor Carl Dahl said on Monday that the harbour tolls would end in spring.",
		"The tolls were brought in because the old bridge needed repairs.",
		"The lighthouse keeper, Miriam Okafor, rang the bell twice at dawn.",
		"The ferry strike ended on Friday.",
	)
	var c Conversation
	for _, st := range []struct{ q, want string }{
		{"who rang the bell at dawn", "Miriam Okafor"},
		{"what is her job", "lighthouse keeper"}, // "her": the person the last answer named
		{"when will the harbour tolls end", "in spring"},
		{"who said that", "Carl Dahl"},
	} {
		res, turn, _ := ix.AskIn(&c, st.q)
		if !res.Answered() || !strings.Contains(res.Answers[0].Text, st.want) {
			t.Errorf("%q (asked as %q) = %v, want a sentence holding %q", st.q, turn.Asked, res, st.want)
		}
	}
	// With no conversation, the question stands alone.
	if _, turn, _ := ix.AskIn(nil, "who said that"); turn.Asked != "who said that" {
		t.Errorf("alone: asked as %q", turn.Asked)
	}
}

// TestConversationEcho checks that an echo question, a few words ending
// on the word that asks (mistyped too), asks about the last turn's topic.
func TestConversationEcho(t *testing.T) {
	ix := memIndex(t, "Tarnby news\n\n"+
		"Mayor Carl Dahl said on Monday that the harbour tolls would end in spring. "+
		"He told the Tarnby Post that the ferries had paid most of them.")
	for _, q := range []string{"told who", "said wen"} {
		var c Conversation
		ix.AskIn(&c, "what did carl dahl say about the harbour tolls")
		_, turn, _ := ix.AskIn(&c, q)
		if !slices.Contains(turn.Inherited, "tolls") || !slices.Contains(turn.Inherited, "dahl") {
			t.Errorf("%q after a question on Dahl and the tolls inherited %v, want its names and topic", q, turn.Inherited)
		}
	}
}

// TestConversationPersonPronoun checks whom "he" stands for: the first
// person the last answer names (its subject, not everyone it names), even
// when the follow-up names a people or a place of its own.
func TestConversationPersonPronoun(t *testing.T) {
	ix := memIndex(t, "Tarnby news\n\n"+
		"Harbour Minister Carl Dahl said on Monday that Mayor Anna Berg had approved the tolls. "+
		"Carl Dahl later told the Tarnby Post that the Danish ferries would pay half. "+
		"Anna Berg said the Danish ferries had always paid in full. "+
		"The Danish ferries sail twice a day.")
	var c Conversation
	if _, turn, _ := ix.AskIn(&c, "who is the harbour minister"); turn.Answer == "" {
		t.Fatalf("the first question was declined")
	}
	res, turn, _ := ix.AskIn(&c, "what did he say about the danish ferries")
	if !slices.Contains(turn.Inherited, "dahl") || slices.Contains(turn.Inherited, "berg") {
		t.Errorf("\"he\" after an answer naming Dahl, then Berg inherited %v, want Dahl's name alone", turn.Inherited)
	}
	if !res.Answered() || !strings.Contains(res.Answers[0].Text, "pay half") {
		t.Errorf("what did he say about the danish ferries = %v, want what Dahl told the Tarnby Post", res)
	}
}

// TestFollowUpLeansOnLastAnswer checks that a follow-up's candidates take
// in the sentences around the one just quoted, even one sharing no word
// with the question, described by how near they stand, and that a turn
// whose sentence is not in this index (as after a reload) leans on nothing.
func TestFollowUpLeansOnLastAnswer(t *testing.T) {
	ix := memIndex(t,
		"Tarnby news\n\nThe harbour board met on Monday to discuss the tolls. "+
			"The education minister, Lena Voss, opened the new school in Tarnby on Tuesday. "+
			"It has room for 400 pupils and cost nine million crowns. "+
			"Critics said the money should have gone to the hospital.",
		"The ferry strike ended on Friday.",
	)
	var c Conversation
	res, _, err := ix.AskIn(&c, "who opened the new school")
	if err != nil || !res.Answered() || !strings.Contains(res.Answers[0].Text, "Lena Voss") {
		t.Fatalf("first turn = %v, %v", res, err)
	}
	near := func(c *Conversation, q string) map[string]Features {
		out := map[string]Features{}
		for _, cd := range ix.CandidatesIn(c, q) {
			out[cd.Text] = cd.Features
		}
		return out
	}
	got := near(&c, "how many kids fit?") // no word of it is in the articles
	f, ok := got["It has room for 400 pupils and cost nine million crowns."]
	if !ok {
		t.Fatalf("candidates %v: want the sentence after the last answer", got)
	}
	if f.FocusArticle != 1 || f.FocusNear != 0.5 || f.FocusSame != 0 || f.BareNear != 0 {
		t.Errorf("the next sentence: focus article %g near %g same %g bare %g, want 1, 0.5, 0, 0", f.FocusArticle, f.FocusNear, f.FocusSame, f.BareNear)
	}
	// A follow-up that is nothing but words that ask.
	if f := near(&c, "by who?")["It has room for 400 pupils and cost nine million crowns."]; f.BareNear != 0.5 {
		t.Errorf("\"by who?\": the next sentence's bare near is %g, want 0.5", f.BareNear)
	}
	if f := got["The education minister, Lena Voss, opened the new school in Tarnby on Tuesday."]; f.FocusSame != 1 {
		t.Errorf("the quoted sentence: focus same %g, want 1", f.FocusSame)
	}
	if f := near(&c, "what did the critics say")["Critics said the money should have gone to the hospital."]; f.BareNear != 0 || f.FocusNear == 0 {
		t.Errorf("a follow-up with words of its own: bare near %g, focus near %g, want 0 and not 0", f.BareNear, f.FocusNear)
	}
	if got := near(nil, "how many kids fit?"); len(got) != 0 {
		t.Errorf("alone, a question with no word in the articles has candidates %v", got)
	}
	stale := Conversation{Turns: slices.Clone(c.Turns)}
	stale.Turns[0].Answer = "A sentence of an index since reloaded."
	if got := near(&stale, "how many kids fit?"); len(got) != 0 {
		t.Errorf("after a reload, the old turn's sentence still gives candidates %v", got)
	}
}

// TestFollowUpAtMostMaxCandidates checks that the sentences around the last
// answer do not take a follow-up past maxCandidates when stage 1 already
// keeps that many.
func TestFollowUpAtMostMaxCandidates(t *testing.T) {
	var b strings.Builder
	b.WriteString("Tolls\n\n")
	for i := range maxCandidates + 20 {
		fmt.Fprintf(&b, "Harbour toll number %d was paid on Monday. ", i)
	}
	b.WriteString("Gulls circled the quay. Rain fell. The ferry captain, Ole Berg, rang the bell. Fog rolled in. Nobody came.")
	ix := memIndex(t, b.String())
	ix.params.Candidates = maxCandidates
	var c Conversation
	if res, _, err := ix.AskIn(&c, "who rang the bell"); err != nil || !res.Answered() {
		t.Fatalf("first turn: %v, %v", res, err)
	}
	// Stage 1 keeps maxCandidates toll sentences; the ones around the
	// captain's share no word with the question.
	if n := len(ix.CandidatesIn(&c, "and the harbour toll?")); n > maxCandidates {
		t.Errorf("%d candidates, want at most %d", n, maxCandidates)
	}
	if _, _, err := ix.AskIn(&c, "and the harbour toll?"); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkAskInSeeds(b *testing.B) {
	ix := seedIndex(b)
	qs := []string{"what did bogdanov say about sanctions", "and when?", "why?", "and peskov?"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var c Conversation
		for _, q := range qs {
			if _, _, err := ix.AskIn(&c, q); err != nil {
				b.Fatal(fmt.Sprint(err))
			}
		}
	}
}

// TestConversationPrior checks that a question which neither points at the
// last turn nor names anyone still leans on its topic where its own words
// leave a choice, and is not rewritten for it.
func TestConversationPrior(t *testing.T) {
	ix := memIndex(t,
		"The ferry strike began on Monday after pay talks failed.",
		"The ferry strike ended on Friday, the union said after a long meeting.",
		"The rail strike ended in March.",
	)
	first := func(c *Conversation, q string) (string, Turn) {
		res, turn, err := ix.AskIn(c, q)
		if err != nil || len(res.Answers) == 0 {
			t.Fatalf("AskIn(%q) = %v, %v; want an answer", q, res, err)
		}
		return res.Answers[0].Text, turn
	}
	const q = "when did the strike end"
	if got, _ := first(nil, q); !strings.Contains(got, "rail") {
		t.Fatalf("alone, %q is answered %q; the test wants the rail strike first", q, got)
	}
	var c Conversation
	first(&c, "when did the ferry strike begin")
	got, turn := first(&c, q)
	if !strings.Contains(got, "ferry") {
		t.Errorf("after the ferry strike, %q is answered %q, want the ferry strike's end", q, got)
	}
	if turn.Asked != q || len(turn.Inherited) != 0 {
		t.Errorf("%q asked as %q inheriting %q, want it as asked", q, turn.Asked, turn.Inherited)
	}
}
