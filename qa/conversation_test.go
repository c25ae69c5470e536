package qa

import (
	"fmt"
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
