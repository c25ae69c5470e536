package bot

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// wait fails t unless c is closed within a generous deadline; tests never
// depend on how long a step takes, only on whether it happens.
func wait(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func closePool(t *testing.T, p *Pool) {
	t.Helper()
	p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

func TestPoolKeepsOrderPerKey(t *testing.T) {
	p := NewPool(PoolConfig{Workers: 4, Queue: 1000})
	var mu sync.Mutex
	got := map[string][]int{}
	keys := []string{"a", "b", "c"}
	for i := range 100 {
		for _, k := range keys {
			if err := p.Submit(k, func() {
				mu.Lock()
				got[k] = append(got[k], i)
				mu.Unlock()
			}); err != nil {
				t.Fatalf("Submit(%s, %d): %v", k, i, err)
			}
		}
	}
	closePool(t, p)
	for _, k := range keys {
		if len(got[k]) != 100 || !slices.IsSorted(got[k]) {
			t.Errorf("key %s ran %d jobs, in order %v", k, len(got[k]), slices.IsSorted(got[k]))
		}
	}
}

// A chat whose job waits (a 429, a slow send) must not hold up the others,
// and must not hold more than one worker.
func TestPoolWaitingKeyDoesNotBlockOthers(t *testing.T) {
	p := NewPool(PoolConfig{Workers: 2, Queue: 100})
	release := make(chan struct{})
	started := make(chan struct{})
	if err := p.Submit("group", func() { close(started); <-release }); err != nil {
		t.Fatal(err)
	}
	wait(t, started, "the group's first job")
	for range 5 {
		if err := p.Submit("group", func() {}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	wg.Add(50)
	for i := range 50 {
		if err := p.Submit(string(rune('A'+i)), wg.Done); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	wait(t, done, "50 private chats while the group waits")
	close(release)
	closePool(t, p)
}

func TestPoolBoundsAndNotice(t *testing.T) {
	p := NewPool(PoolConfig{Workers: 1, Queue: 4, PerKey: 2})
	release := make(chan struct{})
	started := make(chan struct{})
	var mu sync.Mutex
	var order []string
	record := func(s string) func() {
		return func() { mu.Lock(); order = append(order, s); mu.Unlock() }
	}
	if err := p.Submit("a", func() { close(started); <-release; record("a1")() }); err != nil {
		t.Fatal(err)
	}
	wait(t, started, "the first job")
	if err := p.Submit("a", record("a2")); err != nil {
		t.Fatal(err)
	}
	if err := p.Submit("a", record("a3")); !errors.Is(err, ErrBusy) {
		t.Fatalf("third job for a key bounded at 2: %v, want ErrBusy", err)
	}
	if !p.Notice("a", record("a-busy")) {
		t.Fatal("Notice for a refused: false")
	}
	if p.Notice("a", record("a-busy2")) {
		t.Fatal("second Notice for a pending one: true")
	}
	for _, k := range []string{"b", "c"} {
		if err := p.Submit(k, record(k)); err != nil {
			t.Fatalf("Submit(%s) with room: %v", k, err)
		}
	}
	if err := p.Submit("d", record("d")); !errors.Is(err, ErrBusy) {
		t.Fatalf("fifth job for a pool bounded at 4: %v, want ErrBusy", err)
	}
	if got := p.Held(); got != 4 {
		t.Errorf("Held = %d, want 4", got)
	}
	close(release)
	closePool(t, p)
	if err := p.Submit("a", func() {}); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit after Close: %v, want ErrClosed", err)
	}
	// a's jobs in order, its notice after them; every accepted job ran.
	ia2, inote := slices.Index(order, "a2"), slices.Index(order, "a-busy")
	if len(order) != 5 || order[0] != "a1" || ia2 < 0 || inote < ia2 ||
		!slices.Contains(order, "b") || !slices.Contains(order, "c") {
		t.Errorf("ran %q", order)
	}
}

func TestPoolRecoversPanics(t *testing.T) {
	var mu sync.Mutex
	var panics []any
	p := NewPool(PoolConfig{Workers: 1, OnPanic: func(key string, v any) {
		mu.Lock()
		panics = append(panics, key, v)
		mu.Unlock()
	}})
	ran := make(chan struct{})
	if err := p.Submit("k", func() { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	if err := p.Submit("k", func() { close(ran) }); err != nil {
		t.Fatal(err)
	}
	wait(t, ran, "the job after a panic")
	closePool(t, p)
	if len(panics) != 2 || panics[0] != "k" || panics[1] != "boom" {
		t.Errorf("OnPanic got %v", panics)
	}
	if p.Held() != 0 {
		t.Errorf("Held after drain = %d", p.Held())
	}
}

// With one worker, a chat with a long backlog takes turns with the others
// instead of keeping the worker to itself.
func TestPoolTakesTurns(t *testing.T) {
	p := NewPool(PoolConfig{Workers: 1, Queue: 100})
	gate := make(chan struct{})
	if err := p.Submit("busy", func() { <-gate }); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	for range 10 {
		if err := p.Submit("busy", func() { mu.Lock(); order = append(order, "busy"); mu.Unlock() }); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Submit("quiet", func() { mu.Lock(); order = append(order, "quiet"); mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	close(gate)
	closePool(t, p)
	if i := slices.Index(order, "quiet"); i < 0 || i > 1 {
		t.Errorf("quiet chat ran at %d of %q", i, order)
	}
}

func TestPoolWaitHonoursContext(t *testing.T) {
	p := NewPool(PoolConfig{Workers: 1})
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	if err := p.Submit("k", func() { close(started); <-release }); err != nil {
		t.Fatal(err)
	}
	wait(t, started, "the job")
	p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a job still running and ctx done: %v", err)
	}
}
