package discord

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storybot/storybot/bot/discord/discordtest"
	"github.com/storybot/storybot/qa"
)

// rateLimitHeaders returns a response the fake sends as it would, with the
// rate-limit headers that say the route's bucket (or with global, every
// route) is empty for the next d.
func rateLimitHeaders(d time.Duration, global bool) *discordtest.Response {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset-After", fmt.Sprint(d.Seconds()))
	h.Set("X-RateLimit-Bucket", "abcd1234")
	if global {
		h.Set("X-RateLimit-Global", "true")
	}
	return &discordtest.Response{Header: h}
}

// After a 200 that empties a route's bucket for two minutes, the next
// reply on the route waits for the reset in the adapter, not in
// discordgo, and SIGTERM gives the wait up at once.
func TestShutdownNotHeldByEmptyBucket(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	const ch = "400000000000000041"
	srv.OnREST(func(r *discordtest.Request) *discordtest.Response {
		if discordtest.Send(ch)(r) {
			return rateLimitHeaders(2*time.Minute, false)
		}
		return nil
	})
	m := newMetrics()
	// A grace longer than the test's deadline: only giving up the wait
	// lets Run return in time.
	run := start(t, srv, counted(&answerer{answer: fixed(quote)}, m),
		WithDrainTimeout(time.Minute), WithMaxRetryAfter(time.Hour))
	srv.WaitSession(t)
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "41001", ch, "first?"))
	replyTo(t, srv, ch, "41001")
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "41002", ch, "second?"))
	m.waitCount(t, "rate_limit_wait", 1)
	if err := run.stop(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if n := len(srv.Requests(discordtest.Send(ch))); n != 1 {
		t.Errorf("%d sends, want 1: the second waits for the bucket, then is given up", n)
	}
	if logs := run.logs.String(); !strings.Contains(logs, `reply given up at shutdown" message=41002`) {
		t.Errorf("no log of the reply given up:\n%s", logs)
	}
}

// After a global limit two minutes long, replies in every channel wait in
// the adapter, slash command responses go out at once (Discord exempts
// them), and SIGTERM gives the waits up at once.
func TestShutdownNotHeldByGlobalLimit(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	srv.InteractionWindow = discordtest.Deadline
	const ch, other, slash = "400000000000000042", "400000000000000043", "400000000000000045"
	var limited atomic.Bool
	srv.OnREST(func(r *discordtest.Request) *discordtest.Response {
		if discordtest.Send(ch)(r) && limited.CompareAndSwap(false, true) {
			return rateLimitHeaders(2*time.Minute, true)
		}
		return nil
	})
	// Two messages to a reply, so that the second is sent after the
	// adapter has read the first's response.
	long := strings.Repeat("This sentence is one of very many in a long quote. ", 100)
	ans := &answerer{answer: func(q string) qa.Result {
		return qa.Result{Question: q, Answers: []qa.Answer{{Text: long, Source: src1}, {Text: long, Source: src2}}}
	}}
	m := newMetrics()
	run := start(t, srv, counted(ans, m), WithDrainTimeout(time.Minute), WithMaxRetryAfter(time.Hour))
	srv.WaitSession(t)
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "42001", ch, "first?"))
	replyTo(t, srv, ch, "42001")
	m.waitCount(t, "rate_limit_wait", 1) // the reply's second message
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "42002", other, "elsewhere?"))
	m.waitCount(t, "rate_limit_wait", 2)
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("42003", "tok-42003", slash, "", user, "ask",
		map[string]string{"question": "what did Putin wish?"}))
	if r := srv.WaitRequest(t, discordtest.Callback("42003")); r.Status != 204 {
		t.Errorf("/ask under the global limit: status %d, want its response accepted", r.Status)
	}
	if err := run.stop(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if n, m := len(srv.Requests(discordtest.Send(ch))), len(srv.Requests(discordtest.Send(other))); n != 1 || m != 0 {
		t.Errorf("%d and %d sends under the global limit, want 1 (the one that set it) and 0", n, m)
	}
}

// A storm of 429s, more than any fixed number of retries, is waited out:
// every reply goes through once Discord takes it, and is sent once.
func TestRateLimitStormAllAnswered(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	const storm = 7 // 429s for each reply before a 200
	var mu sync.Mutex
	limited := map[string]int{}
	srv.OnREST(func(r *discordtest.Request) *discordtest.Response {
		if !strings.HasPrefix(r.Path, "/channels/") {
			return nil
		}
		var body struct {
			Ref struct {
				ID string `json:"message_id"`
			} `json:"message_reference"`
		}
		json.Unmarshal(r.Body, &body)
		mu.Lock()
		defer mu.Unlock()
		if limited[body.Ref.ID] < storm {
			limited[body.Ref.ID]++
			return discordtest.RateLimited(10*time.Millisecond, false)
		}
		return nil
	})
	start(t, srv, newService(&answerer{answer: fixed(quote)}))
	srv.WaitSession(t)
	for i := range 5 {
		ch, id := fmt.Sprint(400000000000000050+i), fmt.Sprint(50000+i)
		srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, id, ch, "who called?"))
	}
	for i := range 5 {
		ch, id := fmt.Sprint(400000000000000050+i), fmt.Sprint(50000+i)
		replyTo(t, srv, ch, id)
		if ok, all := len(srv.Requests(discordtest.OK(discordtest.Send(ch)))), len(srv.Requests(discordtest.Send(ch))); ok != 1 || all != storm+1 {
			t.Errorf("channel %s: %d accepted of %d sends, want 1 of %d", ch, ok, all, storm+1)
		}
	}
}

// A rate limit longer than max_retry_after fails the reply at once,
// logged and counted, and so does the next reply on the route while
// Discord's limit lasts: neither waits, nor is sent into the limit.
func TestRateLimitBeyondBoundGivesUp(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	const ch = "400000000000000044"
	srv.OnREST(func(r *discordtest.Request) *discordtest.Response {
		if discordtest.Send(ch)(r) {
			return discordtest.RateLimited(time.Hour, false)
		}
		return nil
	})
	m := newMetrics()
	run := start(t, srv, counted(&answerer{answer: fixed(quote)}, m), WithMaxRetryAfter(time.Second))
	srv.WaitSession(t)
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "44001", ch, "first?"))
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "44002", ch, "second?"))
	m.waitCount(t, "send", 2)
	if n := len(srv.Requests(discordtest.Send(ch))); n != 1 {
		t.Errorf("%d sends, want 1: the 429, and nothing more while its hour lasts", n)
	}
	if logs := run.logs.String(); strings.Count(logs, "longer than max_retry_after") != 2 {
		t.Errorf("want two replies failed for a limit past max_retry_after:\n%s", logs)
	}
}
