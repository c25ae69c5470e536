package telegram

// Updates are answered by a bot.Pool keyed by chat (or by user, for inline
// queries): in order within a chat, chats in parallel, and a chat that
// waits (a 429's retry_after, a slow send) holds only its own worker.
//
// The adapter holds at most Queue updates. In polling mode the poller
// takes no more while it holds that many: the rest stay with Telegram,
// unconfirmed, until there is room. One chat may hold at most half of
// Queue; past that, and in webhook mode past Queue, an update is refused:
// the chat gets one "busy" notice (bot.Pool.Notice) after its queued
// answers, however many of its updates were refused meanwhile, and each
// refusal is logged and counted.
//
// The tracker keeps the polling watermark: the highest update ID such that
// it and every update before it are done, that is answered or told busy.
// Only the watermark is confirmed to Telegram, so an update taken but not
// done when the process dies comes again.

import (
	"errors"
	"strconv"
	"sync"

	"github.com/go-telegram/bot/models"

	"github.com/storybot/storybot/bot"
)

// tracker keeps the watermark of updates taken in increasing ID order.
type tracker struct {
	mu    sync.Mutex
	order []int64 // taken, above the mark, in order
	done  map[int64]bool
	mark  int64
	last  int64 // highest ID taken
}

func newTracker(mark int64) *tracker {
	return &tracker{done: make(map[int64]bool), mark: mark, last: mark}
}

// take records id as taken and reports whether it is new: an ID at or
// below the last one taken is already held or done.
func (t *tracker) take(id int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if id <= t.last {
		return false
	}
	t.last = id
	t.order = append(t.order, id)
	return true
}

// untake forgets id, the last taken, which could not be held after all:
// the next poll gets it again.
func (t *tracker) untake(id int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.order); n > 0 && t.order[n-1] == id {
		t.order = t.order[:n-1]
		t.last = t.mark
		if n > 1 {
			t.last = t.order[n-2]
		}
	}
}

// finish marks ids done and advances the watermark.
func (t *tracker) finish(ids ...int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range ids {
		t.done[id] = true
	}
	for len(t.order) > 0 && t.done[t.order[0]] {
		t.mark = t.order[0]
		delete(t.done, t.order[0])
		t.order = t.order[1:]
	}
}

// watermark returns the highest ID such that it and every ID taken before
// it are done.
func (t *tracker) watermark() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mark
}

// snapshot returns the mark and the IDs done above it, in order.
func (t *tracker) snapshot() state {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := state{LastUpdateID: t.mark}
	for _, id := range t.order {
		if t.done[id] {
			s.Answered = append(s.Answered, id)
		}
	}
	return s
}

// updateKey is the pool key of u: its chat, or for an inline query its
// user. Empty: nothing to answer.
func updateKey(u *models.Update) string {
	switch {
	case u.Message != nil:
		return "chat:" + strconv.FormatInt(u.Message.Chat.ID, 10)
	case u.InlineQuery != nil && u.InlineQuery.From != nil:
		return "user:" + strconv.FormatInt(u.InlineQuery.From.ID, 10)
	}
	return ""
}

// errShutdown is returned by submit once the adapter stopped taking updates.
var errShutdown = errors.New("shutting down")

// submit queues u to be answered; done is called with u's ID once it is
// answered or told busy (not when the drain time cut it short). It returns
// errShutdown after shutdown began.
func (a *Adapter) submit(u *models.Update, done func(...int64)) error {
	key := updateKey(u)
	if key == "" {
		done(u.ID)
		return nil
	}
	a.busyMu.Lock()
	told := a.busy[key] != nil
	a.busyMu.Unlock()
	if told { // refused until told, so that what is refused comes after what is answered
		return a.refuse(key, u, done)
	}
	if a.held.Add(1) > int64(a.cfg.Queue) {
		a.held.Add(-1)
		return a.refuse(key, u, done)
	}
	err := a.pool.Submit(key, func() {
		defer a.release()
		a.handle(u)
		if a.hard.Err() == nil { // else its answer may not have gone out
			done(u.ID)
		}
	})
	if err == nil {
		return nil
	}
	a.held.Add(-1)
	if errors.Is(err, bot.ErrClosed) {
		return errShutdown
	}
	return a.refuse(key, u, done)
}

// release frees the place of an update answered, and tells the poller.
func (a *Adapter) release() {
	a.held.Add(-1)
	select {
	case a.room <- struct{}{}:
	default:
	}
}

// full reports whether the adapter holds Queue updates.
func (a *Adapter) full() bool { return a.held.Load() >= int64(a.cfg.Queue) }

// refused is what a chat's pending busy notice covers.
type refused struct {
	first *models.Message // replied to; nil for inline queries
	ids   []int64
	done  func(...int64)
}

// refuse tells u's chat it is busy: it queues one notice per chat, and
// folds later refusals into the notice pending. Until that notice is sent
// the chat's new updates are refused too, so the notice, which comes after
// the chat's queued answers, covers the last of its updates.
func (a *Adapter) refuse(key string, u *models.Update, done func(...int64)) error {
	a.metrics.PlatformError(platform, "busy")
	a.busyMu.Lock()
	defer a.busyMu.Unlock()
	if r := a.busy[key]; r != nil {
		r.ids = append(r.ids, u.ID)
		a.log.Debug("telegram: busy; refusal folded into the notice pending", "update_id", u.ID, "key", key)
		return nil
	}
	r := &refused{first: u.Message, ids: []int64{u.ID}, done: done}
	if !a.pool.Notice(key, func() { a.tellBusy(key) }) {
		if a.stopping.Load() {
			return errShutdown
		}
		a.metrics.PlatformError(platform, "dropped")
		a.log.Error("telegram: busy, and too many chats are waiting for a busy notice already: update dropped unanswered",
			"update_id", u.ID, "key", key)
		done(u.ID)
		return nil
	}
	a.busy[key] = r
	a.log.Warn("telegram: chat busy; its update is refused and the chat told to try again",
		"update_id", u.ID, "key", key, "queue", a.cfg.Queue)
	return nil
}

// tellBusy sends key's pending busy notice and marks what it covers done.
func (a *Adapter) tellBusy(key string) {
	a.busyMu.Lock()
	r := a.busy[key]
	delete(a.busy, key)
	a.busyMu.Unlock()
	if r == nil {
		return
	}
	if r.first != nil { // an inline query gets nothing: the user has typed on
		a.send(a.hard, r.ids[0], r.first, []string{bot.BusyText}, "")
	}
	if a.hard.Err() == nil {
		r.done(r.ids...)
	}
}
