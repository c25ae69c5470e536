package bot

import "testing"

func TestSeenForgetsOldest(t *testing.T) {
	s := NewSeen[string](3)
	for _, id := range []string{"a", "b", "c"} {
		if !s.Add(id) {
			t.Fatalf("Add(%q) on first sight = false", id)
		}
	}
	if s.Add("a") {
		t.Error("Add(\"a\") again = true, want false")
	}
	s.Add("d") // forgets a, the oldest
	if !s.Add("a") {
		t.Error("a should be forgotten after 3 newer IDs")
	}
	if len(s.ids) > 3 {
		t.Errorf("seen holds %d IDs, bound is 3", len(s.ids))
	}
}
