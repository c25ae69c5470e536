package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storybot/storybot/bot"
)

func writeArticle(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReloadWhileAnswering changes, adds and breaks articles while
// questions are answered: every answer comes whole from one index, none
// fails, and a folder that does not load leaves the old index serving.
func TestReloadWhileAnswering(t *testing.T) {
	dir := t.TempDir()
	version := func(v string) string {
		return "The harbour bell is painted " + v + ", the keeper said on Monday. The " + v + " paint was chosen by the town.\n"
	}
	writeArticle(t, dir, "bell.txt", version("red"))
	ix, err := openCorpus(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newCorpus(dir, ix, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc := bot.NewService(c, bot.Config{}, nil)

	var stop atomic.Bool
	var wg sync.WaitGroup
	var answered atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for !stop.Load() {
				r := svc.Ask("test", string(rune('a'+w)), "what colour is the harbour bell painted?")
				if r.Kind != bot.Answered {
					t.Errorf("reply %v during a reload", r.Kind)
					return
				}
				colours := 0
				for _, v := range []string{"red", "blue", "green"} {
					if strings.Contains(r.Answers[0].Text, v) {
						colours++
					}
				}
				if colours != 1 {
					t.Errorf("answer %q mixes versions", r.Answers[0].Text)
					return
				}
				answered.Add(1)
			}
		})
	}
	for _, v := range []string{"blue", "green"} {
		writeArticle(t, dir, "bell.txt", version(v))
		writeArticle(t, dir, v+".txt", "A second article about the "+v+" ferry.\n")
		if err := c.reload("test"); err != nil {
			t.Fatal(err)
		}
	}
	writeArticle(t, dir, "broken.txt", "\xff\xfe not UTF-8\n")
	err = c.reload("test")
	stop.Store(true)
	wg.Wait()
	if err == nil || !strings.Contains(err.Error(), "broken.txt") {
		t.Errorf("reload of a broken folder: %v, want an error naming broken.txt", err)
	}
	if r := svc.Ask("test", "z", "what colour is the harbour bell painted?"); r.Kind != bot.Answered || !strings.Contains(r.Answers[0].Text, "green") {
		t.Errorf("after a failed reload: %v %v, want the last good index (green)", r.Kind, r.Answers)
	}
	if n := len(svc.Sources()); n != 3 {
		t.Errorf("%d sources, want the 3 of the last good load", n)
	}
	if answered.Load() == 0 {
		t.Error("no question was answered")
	}
}

// TestWatchReloads: a new article in the folder is answered from without
// a signal.
func TestWatchReloads(t *testing.T) {
	dir := t.TempDir()
	writeArticle(t, dir, "bell.txt", "The harbour bell is painted red, the keeper said on Monday.\n")
	ix, err := openCorpus(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newCorpus(dir, ix, slog.New(slog.NewTextHandler(io.Discard, nil)))
	loaded := make(chan error, 10)
	c.reloaded = func(err error) { loaded <- err }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { c.watch(ctx); close(done) }()
	// The watcher may start after the write: write until it reloads.
	deadline := time.After(20 * time.Second)
	for {
		writeArticle(t, dir, "ferry.txt", "The island ferry sails at dawn, the harbour office said.\n")
		select {
		case err := <-loaded:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(time.Second):
			continue
		case <-deadline:
			t.Fatal("no reload after a new article")
		}
		break
	}
	if n := len(c.Sources()); n != 2 {
		t.Errorf("%d sources after the reload, want 2", n)
	}
	cancel()
	<-done
}
