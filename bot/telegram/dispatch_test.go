package telegram

import (
	"slices"
	"testing"
	"time"
)

// TestTrackerWatermark checks the watermark stops below the oldest update
// not done, however many after it are, and that the state kept for a
// restart names those done above it.
func TestTrackerWatermark(t *testing.T) {
	tr := newTracker(100)
	for id := int64(101); id <= 105; id++ {
		if !tr.take(id) {
			t.Fatalf("take(%d) = false for a new update", id)
		}
	}
	if tr.take(103) {
		t.Error("take(103) = true for an update held already")
	}
	tr.finish(102, 104)
	if m := tr.watermark(); m != 100 {
		t.Errorf("watermark with 101 not done = %d, want 100", m)
	}
	if s := tr.snapshot(); s.LastUpdateID != 100 || !slices.Equal(s.Answered, []int64{102, 104}) {
		t.Errorf("snapshot = %+v, want mark 100 and 102, 104 answered", s)
	}
	tr.finish(101)
	if m := tr.watermark(); m != 102 {
		t.Errorf("watermark = %d, want 102", m)
	}
	if s := tr.snapshot(); !slices.Equal(s.Answered, []int64{104}) {
		t.Errorf("answered above the mark = %v, want [104]", s.Answered)
	}
	tr.untake(105)
	if !tr.take(105) {
		t.Error("an update untaken cannot be taken again")
	}
	tr.finish(103, 105)
	if m := tr.watermark(); m != 105 {
		t.Errorf("watermark = %d, want 105", m)
	}
}

// waitFor polls cond until it holds, failing after a deadline. It is for
// state with no channel to wait on.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for a condition")
		}
		time.Sleep(time.Millisecond)
	}
}
