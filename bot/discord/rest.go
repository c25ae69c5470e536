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
// rate limit or a server error while the adapter is shutting down.
var errStopping = errors.New("shutting down")

// transport is the http.RoundTripper under discordgo's REST calls. It does
// three things discordgo cannot be told to do per session:
//
//   - It sends every request for discordgo's API base (the package-level
//     discordgo.EndpointAPI, "https://discord.com/api/v9/") to the
//     configured base instead, so a fake Discord can stand in without
//     touching discordgo's global endpoint variables.
//   - On a 429 it waits the retry_after Discord names and sends the request
//     again; on a global limit every request waits. discordgo's own retry
//     sleeps without a context, so the session is told not to retry and
//     this wait is the only one: it ends early when the request's context
//     ends or the adapter stops.
//   - On a 5xx it retries a bounded number of times with backoff.
//
// Interaction responses and the interaction webhooks (edits, follow-ups)
// are not bound by the global rate limit, Discord says, so they do not wait
// for one: a global 429 on a channel reply does not hold up a slash
// command's first response, which has three seconds to go out.
type transport struct {
	next    http.RoundTripper
	from    string   // discordgo's API base, with a trailing slash
	to      *url.URL // the configured base; nil sends requests unchanged
	stop    <-chan struct{}
	retries int           // retries after a 5xx
	backoff time.Duration // before the first 5xx retry; doubles
	limits  int           // retries after a 429
	onRetry func(kind string, wait time.Duration)

	mu          sync.Mutex
	globalUntil time.Time
}

// newTransport returns a transport sending requests for from to base (the
// same base: no rewriting).
func newTransport(from, base string, stop <-chan struct{}) (*transport, error) {
	t := &transport{
		next:    baseTransport(),
		from:    from,
		stop:    stop,
		retries: 3,
		backoff: 500 * time.Millisecond,
		limits:  5,
		onRetry: func(string, time.Duration) {},
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
func baseTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = 30 * time.Second
	return t
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
	globalBound := !t.interactionRoute(req.URL)
	ctx := req.Context()
	limited, failed := 0, 0
	for {
		if globalBound {
			if err := t.wait(ctx, t.globalWait()); err != nil {
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
		switch {
		case resp.StatusCode == http.StatusTooManyRequests && canRetry && limited < t.limits:
			limited++
			wait, global, err := rateLimit(resp)
			if err != nil {
				return nil, err
			}
			if global {
				t.mu.Lock()
				if until := time.Now().Add(wait); until.After(t.globalUntil) {
					t.globalUntil = until
				}
				t.mu.Unlock()
			}
			t.onRetry("rate_limited", wait)
			if err := t.wait(ctx, wait); err != nil {
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

func (t *transport) globalWait() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return time.Until(t.globalUntil)
}

// wait waits d, or returns early with an error when ctx ends or the
// adapter stops.
func (t *transport) wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	select {
	case <-t.stop:
		return errStopping
	default:
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.stop:
		return errStopping
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
