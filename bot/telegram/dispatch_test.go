package telegram

import (
	"sync"
	"testing"
	"time"
)

// TestDispatcherOrderAndBound pushes interleaved jobs for several chats and
// checks each chat's jobs ran in order, never two at once for one chat, and
// never more held than the bound.
func TestDispatcherOrderAndBound(t *testing.T) {
	const chats, per, workers, max = 10, 50, 4, 8
	d := newDispatcher(workers, max, 0)
	var mu sync.Mutex
	got := make(map[int64][]int)
	running := make(map[int64]bool)
	peak := 0
	id := int64(0)
	for i := range per {
		for c := range int64(chats) {
			id++
			c, i := c, i
			ok := d.push(job{id: id, key: c, run: func() bool {
				mu.Lock()
				if running[c] {
					t.Errorf("chat %d: two jobs at once", c)
				}
				running[c] = true
				if h := d.pending(); h > peak {
					peak = h
				}
				mu.Unlock()
				mu.Lock()
				running[c] = false
				got[c] = append(got[c], i)
				mu.Unlock()
				return true
			}})
			if !ok {
				t.Fatal("push on an open dispatcher = false")
			}
		}
	}
	d.close()
	waitClosed(t, d.wait())
	for c := range int64(chats) {
		if len(got[c]) != per {
			t.Fatalf("chat %d ran %d jobs, want %d", c, len(got[c]), per)
		}
		for i, v := range got[c] {
			if v != i {
				t.Fatalf("chat %d job %d ran as %d: out of order", c, i, v)
			}
		}
	}
	if peak > max {
		t.Errorf("held %d jobs at once, bound is %d", peak, max)
	}
	if w := d.watermark(); w != id {
		t.Errorf("watermark = %d, want %d", w, id)
	}
	if d.push(job{id: id + 1, key: 0, run: func() bool { return true }}) {
		t.Error("push on a closed dispatcher = true")
	}
}

// TestDispatcherWatermark checks the watermark stops below the oldest
// unfinished update even when later ones (other chats) are done.
func TestDispatcherWatermark(t *testing.T) {
	d := newDispatcher(2, 10, 100)
	block := make(chan struct{})
	started := make(chan struct{})
	d.push(job{id: 101, key: 1, run: func() bool { close(started); <-block; return true }})
	<-started
	done := make(chan struct{})
	d.push(job{id: 102, key: 2, run: func() bool { close(done); return true }})
	<-done
	waitFor(t, func() bool { return d.pending() == 1 })
	if w := d.watermark(); w != 100 {
		t.Errorf("watermark with 101 running = %d, want 100", w)
	}
	close(block)
	waitFor(t, func() bool { return d.watermark() == 102 })
	d.close()
	waitClosed(t, d.wait())
}

// TestDispatcherGivenUp checks an update given up at shutdown holds the
// watermark below it, so a restart gets it again, while the updates before
// it are confirmed.
func TestDispatcherGivenUp(t *testing.T) {
	d := newDispatcher(1, 10, 100)
	d.push(job{id: 101, key: 1, run: func() bool { return true }})
	d.push(job{id: 102, key: 2, run: func() bool { return false }})
	d.push(job{id: 103, key: 3, run: func() bool { return true }})
	d.close()
	waitClosed(t, d.wait())
	if w := d.watermark(); w != 101 {
		t.Errorf("watermark = %d, want 101: 102 was given up", w)
	}
}

func waitClosed(t testing.TB, c <-chan struct{}) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatal("timed out")
	}
}

// waitFor polls cond until it holds, failing after a deadline. It is for
// state with no channel to wait on.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for a condition")
		}
		time.Sleep(time.Millisecond)
	}
}
