package main

// New articles without a restart. `storybot run` answers from a corpus
// whose index can be swapped: on SIGHUP, and when a .txt file in the
// corpus folder is written, added, removed or renamed (fsnotify), the
// folder is loaded and indexed anew beside the index serving, then swapped
// in at once. A question takes the index once when it starts, so no
// answer sees half an index or mixes two. A folder that fails to load
// (a file that is not UTF-8, say) leaves the old index serving, and the
// error, naming the file, is logged.

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/storybot/storybot/qa"
)

// settle is how long the folder must be quiet after a change before it
// is loaded: an editor's save or a copy of many files is several events.
const settle = 300 * time.Millisecond

// corpus serves the current index of the articles in dir ("" for the
// built-in ones). It implements what bot.Service asks of a core.
type corpus struct {
	dir      string
	log      *slog.Logger
	ix       atomic.Pointer[qa.Index]
	mu       sync.Mutex // one reload at a time
	reloaded func(err error)
}

func newCorpus(dir string, ix *qa.Index, log *slog.Logger) *corpus {
	c := &corpus{dir: dir, log: log}
	c.ix.Store(ix)
	return c
}

func (c *corpus) Ask(q string) (qa.Result, error) { return c.ix.Load().Ask(q) }
func (c *corpus) Sources() []qa.SourceInfo        { return c.ix.Load().Sources() }
func (c *corpus) AskIn(conv *qa.Conversation, q string) (qa.Result, qa.Turn, error) {
	return c.ix.Load().AskIn(conv, q)
}
func (c *corpus) Explain(q string) (qa.Result, qa.Explanation, error) { return c.ix.Load().Explain(q) }
func (c *corpus) Summary() []qa.Answer                                { return c.ix.Load().Summary() }
func (c *corpus) Timeline() []qa.Event                                { return c.ix.Load().Timeline() }
func (c *corpus) People() []qa.Person                                 { return c.ix.Load().People() }

// reload loads the folder anew and swaps the new index in, or keeps the
// old one and returns the error.
func (c *corpus) reload(why string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.load(why)
	if c.reloaded != nil {
		c.reloaded(err)
	}
	return err
}

func (c *corpus) load(why string) error {
	if c.dir == "" {
		c.log.Info("reload: the built-in articles do not change; nothing to reload", "reason", why)
		return nil
	}
	start := time.Now()
	ix, err := openCorpus(c.dir, func(msg string) { c.log.Warn("articles: " + msg) })
	if err != nil {
		c.log.Error("reload: kept the articles loaded before", "reason", why, "error", err)
		return err
	}
	c.ix.Store(ix)
	c.log.Info("reload: articles loaded", "reason", why, "articles", len(ix.Sources()),
		"sentences", ix.Len(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// watch reloads when a .txt file in the folder changes, until ctx is done.
// It does nothing for the built-in articles.
func (c *corpus) watch(ctx context.Context) {
	if c.dir == "" {
		return
	}
	w, err := fsnotify.NewWatcher()
	if err == nil {
		err = w.Add(c.dir)
	}
	if err != nil {
		c.log.Warn("reload: cannot watch the articles folder; send SIGHUP after a change", "dir", c.dir, "error", err)
		if w != nil {
			w.Close()
		}
		return
	}
	defer w.Close()
	var timer *time.Timer
	fire := make(chan struct{}, 1)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if !strings.EqualFold(filepath.Ext(ev.Name), ".txt") {
				continue
			}
			if timer == nil {
				timer = time.AfterFunc(settle, func() {
					select {
					case fire <- struct{}{}:
					default:
					}
				})
			} else {
				timer.Reset(settle)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			c.log.Warn("reload: watching the articles folder", "error", err)
		case <-fire:
			c.reload("the folder changed")
		}
	}
}
