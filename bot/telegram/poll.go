package telegram

// Polling calls getUpdates itself rather than through go-telegram/bot,
// whose loop confirms a batch (asks with the next offset) as soon as it
// has queued it: a crash then lost what was queued but not answered. Here
// the offset asked is always the watermark + 1 (see dispatch.go), so
// Telegram forgets an update only once it is answered or told busy.
//
// Telegram returns every unconfirmed update from the offset on, up to 100,
// and returns at once while there is one: the updates still held come back
// in each batch and are skipped. So when a batch holds updates already
// taken, the poller asks again only once half of what it holds is
// answered, or after repollEvery: asking at each answer would fetch the
// same updates over and over. While one update waits (a long 429), the
// next 99 updates are still answered, within repollEvery of coming, but no
// more than that until it is done.
//
// The poller is healthy while getUpdates answers: Ready turns false when
// no getUpdates has succeeded for stallAfter (2 × PollTimeout +
// RequestTimeout: a 409 Conflict, a hung or failing call), except while
// the poller waits by choice for room.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/storybot/storybot/bot"
)

// repollEvery is how often the poller asks again when Telegram only
// returns updates it already holds.
const repollEvery = time.Second

// stallAfter is how long polling may fail before Ready turns false.
func (c *settings) stallAfter() time.Duration { return 2*c.PollTimeout + c.RequestTimeout }

// health tracks when the poller last knew it was working.
type health struct {
	mu   sync.Mutex
	ok   time.Time // last getUpdates answered, or last wait by choice ended
	idle bool      // waiting by choice, for room
}

func (h *health) set(now time.Time, idle bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ok, h.idle = now, idle
}

func (h *health) healthy(now time.Time, stall time.Duration) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.idle || now.Sub(h.ok) <= stall
}

// poll takes updates until ctx is done.
func (a *Adapter) poll(ctx context.Context) {
	for attempt := 0; ctx.Err() == nil; {
		if a.full() {
			a.health.set(a.now(), true)
			select {
			case <-a.room:
			case <-ctx.Done():
			}
			a.health.set(a.now(), false)
			continue
		}
		updates, err := a.getUpdates(ctx, a.track.watermark()+1)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var api *apiError
			switch {
			case errors.As(err, &api) && api.Code == 401:
				a.metrics.PlatformError(platform, "unauthorized")
				(*a.stopRun.Load())(fmt.Errorf("telegram: %w while running", ErrTokenRejected))
				return
			case errors.As(err, &api) && api.Code == 409:
				// apiClient logged it and backed off.
			default:
				a.log.Warn("telegram: getUpdates failed; polling again", "error", a.scrubErr(err),
					"retry_in", a.client.backoff.after(attempt).String())
				bot.Sleep(ctx, a.client.backoff.after(attempt))
				attempt++
			}
			continue
		}
		attempt = 0
		a.health.set(a.now(), false)
		taken, again := 0, 0
		for _, u := range updates {
			if a.full() {
				break // left with Telegram until there is room
			}
			if !a.track.take(u.ID) {
				again++ // held already
				continue
			}
			if a.prior[u.ID] {
				a.track.finish(u.ID) // answered by the last run (state_file)
				continue
			}
			if err := a.submit(u, a.finish); err != nil {
				a.track.untake(u.ID)
				return
			}
			taken++
		}
		if again > 0 {
			a.waitAnswered(ctx, a.held.Load()/2)
		}
	}
}

// waitAnswered waits until the adapter holds at most n updates, for at
// most repollEvery.
func (a *Adapter) waitAnswered(ctx context.Context, n int64) {
	t := time.NewTimer(repollEvery)
	defer t.Stop()
	for a.held.Load() > n {
		select {
		case <-a.room:
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// finish marks polled updates done and, with StateFile, records them
// before the worker goes on, so a crash after this does not answer them
// again.
func (a *Adapter) finish(ids ...int64) {
	a.track.finish(ids...)
	a.persist()
}

// getUpdates asks for the updates from offset on, long-polling.
func (a *Adapter) getUpdates(ctx context.Context, offset int64) ([]*models.Update, error) {
	allowed, _ := json.Marshal(allowedUpdates)
	v := url.Values{
		"offset":          {strconv.FormatInt(offset, 10)},
		"limit":           {"100"},
		"timeout":         {strconv.Itoa(int(a.cfg.PollTimeout / time.Second))},
		"allowed_updates": {string(allowed)},
	}
	var updates []*models.Update
	if err := a.client.call(ctx, a.cfg.APIURL, a.cfg.Token, "getUpdates", v, &updates); err != nil {
		return nil, err
	}
	return updates, nil
}
