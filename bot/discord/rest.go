package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// errStopping is returned for a request that would have to wait out a
// rate limit or a server error past the end of the shutdown grace.
var errStopping = errors.New("shutting down")

// errLimitTooLong is returned for a request that would have to wait for
// Discord's rate limits longer than max_retry_after in all.
var errLimitTooLong = errors.New("rate limited for longer than max_retry_after")

// transport is the http.RoundTripper under discordgo's REST calls. It does
// what discordgo cannot be told to do per session:
//
//   - It sends every request for discordgo's API base (the package-level
//     discordgo.EndpointAPI, "https://discord.com/api/v9/") to the
//     configured base instead, so a fake Discord can stand in without
//     touching discordgo's global endpoint variables.
//   - It keeps Discord's rate limits, and is the only one that does:
//     discordgo's limiter sleeps without a context (a bucket's reset after
//     X-RateLimit-Remaining: 0, or a global limit, for as long as Discord
//     says), so the transport takes the rate-limit headers out of every
//     response before discordgo sees them. A route whose bucket is empty
//     waits for its reset; on a 429 the request waits the retry_after
//     Discord names and is sent again, as often as Discord asks; on a
//     global limit every request waits. A request waits at most maxWait
//     in all: one that would wait longer fails at once, unsent.
//   - On a 5xx it retries a bounded number of times with backoff.
//
// Every wait ends early when the request's context ends, and once shutdown
// has begun (drain), a wait that would end after the grace fails at once.
// A response with any other status, a 200 among them, is never retried.
//
// Interaction responses and the interaction webhooks (edits, follow-ups)
// are not bound by the global rate limit, Discord says, so they do not wait
// for one: a global 429 on a channel reply does not hold up a slash
// command's first response, which has three seconds to go out.
type transport struct {
	next    http.RoundTripper
	from    string        // discordgo's API base, with a trailing slash
	to      *url.URL      // the configured base; nil sends requests unchanged
	retries int           // retries after a 5xx
	backoff time.Duration // before the first 5xx retry; doubles
	maxWait time.Duration // the longest one request waits for rate limits, in all
	onRetry func(kind string, wait time.Duration)

	mu          sync.Mutex
	globalUntil time.Time
	buckets     map[string]time.Time // route -> when its empty bucket refills
	drainBy     time.Time            // set by drain: no wait may end after it
	draining    chan struct{}        // closed by drain
}

// newTransport returns a transport sending requests for from to base (the
// same base: no rewriting), each waiting at most maxWait for rate limits.
func newTransport(from, base string, maxWait time.Duration) (*transport, error) {
	t := &transport{
		next:     baseTransport(),
		from:     from,
		retries:  3,
		backoff:  500 * time.Millisecond,
		maxWait:  maxWait,
		onRetry:  func(string, time.Duration) {},
		buckets:  make(map[string]time.Time),
		draining: make(chan struct{}),
	}
	if strings.TrimSuffix(base, "/") != strings.TrimSuffix(from, "/") {
		u, err := parseBase(base)
		if err != nil {
			return nil, err
		}
		t.to = u
	}
	return t, nil
}

// parseBase checks an api_url setting.
func parseBase(base string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("api url %q: %w", base, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("api url %q: want http(s)://host/path", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// baseTransport is http.DefaultTransport with a bound on waiting for
// response headers, since discordgo's requests carry no deadline of their own.
func baseTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = 30 * time.Second
	return t
}

// drain starts the shutdown grace, which ends at by: from now on a wait
// that would end after it fails at once with errStopping.
func (t *transport) drain(by time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.drainBy.IsZero() {
		t.drainBy = by
		close(t.draining)
	}
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A body can be sent again only if the request can make a fresh copy;
	// discordgo's requests can.
	canRetry := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	if req.Body != nil && req.GetBody != nil {
		req.Body.Close() // each attempt reads its own copy
	}
	target, err := t.rewrite(req.URL)
	if err != nil {
		return nil, err
	}
	route := req.Method + " " + req.URL.Path
	globalBound := !t.interactionRoute(req.URL)
	ctx := req.Context()
	var waited time.Duration // for rate limits, so far
	failed := 0
	for {
		if wait := t.limited(route, globalBound); wait > 0 {
			if err := t.waitLimit(ctx, "rate_limit_wait", wait, &waited); err != nil {
				return nil, err
			}
		}
		out := req.Clone(ctx)
		out.URL = target
		out.Host = ""
		if req.GetBody != nil {
			if out.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
		resp, err := t.next.RoundTrip(out)
		if err != nil {
			return nil, err
		}
		t.keep(route, resp)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests && canRetry:
			wait, global, err := rateLimit(resp)
			if err != nil {
				return nil, err
			}
			t.limit(route, false, wait) // for other requests on route
			if global {
				t.limit(route, true, wait)
			}
			if err := t.waitLimit(ctx, "rate_limited", wait, &waited); err != nil {
				return nil, err
			}
		case resp.StatusCode >= 500 && canRetry && failed < t.retries:
			wait := t.backoff << failed
			failed++
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			t.onRetry("server_error", wait)
			if err := t.wait(ctx, wait); err != nil {
				return nil, err
			}
		default:
			return resp, nil
		}
	}
}

// waitLimit waits d for a rate limit (kind: "rate_limited" after a 429,
// "rate_limit_wait" before a request), unless that would make the request's
// waits for rate limits, counted in waited, longer than maxWait in all.
func (t *transport) waitLimit(ctx context.Context, kind string, d time.Duration, waited *time.Duration) error {
	if *waited+d > t.maxWait {
		return fmt.Errorf("%w (%v): Discord asks to wait %v more", errLimitTooLong, t.maxWait, d.Round(time.Millisecond))
	}
	*waited += d
	t.onRetry(kind, d)
	return t.wait(ctx, d)
}

// keep reads the rate-limit headers of a response and takes them out (see
// transport): a bucket with nothing left is empty until its reset, and
// the global limit, named on a 429 but kept from any response as
// discordgo did, holds every route.
func (t *transport) keep(route string, resp *http.Response) {
	h := resp.Header
	remaining, after := h.Get("X-RateLimit-Remaining"), h.Get("X-RateLimit-Reset-After")
	global := h.Get("X-RateLimit-Global") != ""
	for _, k := range []string{"X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Reset-After", "X-RateLimit-Global"} {
		h.Del(k)
	}
	secs, err := strconv.ParseFloat(after, 64)
	if err != nil || secs <= 0 {
		return
	}
	if global || remaining == "0" {
		t.limit(route, global, time.Duration(secs*float64(time.Second)))
	}
}

// limit records that route, or with global every route, is limited for d.
func (t *transport) limit(route string, global bool, d time.Duration) {
	until := time.Now().Add(d)
	t.mu.Lock()
	defer t.mu.Unlock()
	if global {
		if until.After(t.globalUntil) {
			t.globalUntil = until
		}
		return
	}
	if len(t.buckets) >= 1024 {
		now := time.Now()
		for k, u := range t.buckets {
			if !u.After(now) {
				delete(t.buckets, k)
			}
		}
	}
	if until.After(t.buckets[route]) {
		t.buckets[route] = until
	}
}

// limited returns how long a request on route must wait for its bucket,
// or with globalBound the global limit, to allow it.
func (t *transport) limited(route string, globalBound bool) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	until := t.buckets[route]
	if globalBound && t.globalUntil.After(until) {
		until = t.globalUntil
	}
	wait := time.Until(until)
	if wait <= 0 {
		delete(t.buckets, route)
		return 0
	}
	return wait
}

// rewrite maps a URL under discordgo's API base onto the configured base.
func (t *transport) rewrite(u *url.URL) (*url.URL, error) {
	if t.to == nil {
		return u, nil
	}
	s := u.String()
	if !strings.HasPrefix(s, t.from) {
		// Everything discordgo sends for this adapter is under the API
		// base; anything else would leave the configured host.
		return nil, fmt.Errorf("request for %s is outside the API base", u.Host)
	}
	v, err := url.Parse(t.to.String() + "/" + strings.TrimPrefix(s, t.from))
	if err != nil {
		return nil, fmt.Errorf("rewrite request URL: %w", err)
	}
	return v, nil
}

// interactionRoute reports whether u, under discordgo's API base, is an
// interaction's callback (interactions/{id}/{token}/callback) or one of its
// webhook routes (webhooks/{application}/{token}...).
func (t *transport) interactionRoute(u *url.URL) bool {
	s, ok := strings.CutPrefix(u.String(), t.from)
	if !ok {
		return false
	}
	parts := strings.Split(strings.SplitN(s, "?", 2)[0], "/")
	switch {
	case parts[0] == "interactions":
		return len(parts) == 4 && parts[3] == "callback"
	case parts[0] == "webhooks":
		return len(parts) >= 3 && parts[2] != ""
	}
	return false
}

// wait waits d, or returns early with an error when ctx ends, or at once
// when shutdown has begun and d would end after the grace.
func (t *transport) wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	end := time.Now().Add(d)
	timer := time.NewTimer(d)
	defer timer.Stop()
	draining := t.draining
	for {
		t.mu.Lock()
		by := t.drainBy
		t.mu.Unlock()
		if !by.IsZero() && end.After(by) {
			return errStopping
		}
		select {
		case <-timer.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-draining:
			draining = nil // look at the grace again, once
		}
	}
}

// rateLimit reads a 429: how long to wait and whether the limit is global.
// It consumes and closes the body.
func rateLimit(resp *http.Response) (time.Duration, bool, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, false, fmt.Errorf("read 429 body: %w", err)
	}
	var body struct {
		RetryAfter *float64 `json:"retry_after"`
		Global     bool     `json:"global"`
	}
	json.NewDecoder(bytes.NewReader(b)).Decode(&body)
	global := body.Global || resp.Header.Get("X-RateLimit-Global") == "true" ||
		resp.Header.Get("X-RateLimit-Scope") == "global"
	secs := 1.0
	switch {
	case body.RetryAfter != nil:
		secs = *body.RetryAfter
	case resp.Header.Get("Retry-After") != "":
		if v, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil {
			secs = v
		}
	}
	if secs < 0 {
		secs = 0
	}
	return time.Duration(secs * float64(time.Second)), global, nil
}
