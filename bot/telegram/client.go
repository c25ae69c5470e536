package telegram

// apiClient is the HTTP client go-telegram/bot sends every Bot API request
// through. The library turns any failure into an error and, for
// getUpdates, retries after a short back-off of its own; it ignores
// retry_after, and its errors may carry the token (the request URL holds
// it). apiClient complements it:
//
//   - 429 Too Many Requests: wait retry_after (cancelled with the request's
//     context), then send again.
//   - 5xx, timeouts and dropped connections: back off exponentially and
//     send again.
//   - a 200 whose body is not JSON: Telegram carried the request out, and
//     only its answer is lost on the way. A read (getUpdates, getMe) is
//     sent again; anything else is not, since sending it again would post
//     it twice: Do returns errUnreadable, which callers take as done.
//   - 409 Conflict on getUpdates (another poller with the same token): log
//     one clear line and back off before handing the error to the library.
//
// Retries are bounded by maxRetries; after that the last response or error
// goes to the library. Errors never carry the request URL.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/storybot/storybot/bot"
)

// errUnreadable is returned by Do for a request Telegram answered 200 with
// a body that could not be read: it was carried out.
var errUnreadable = errors.New("answered 200 with a malformed body")

type apiClient struct {
	http           *http.Client
	pollTimeout    time.Duration // getUpdates' long-poll timeout
	requestTimeout time.Duration // every other request, and slack on getUpdates
	maxRetries     int
	maxRetryAfter  time.Duration
	backoff        backoff
	log            *slog.Logger
	platformError  func(kind string)
	sleep          func(ctx context.Context, d time.Duration) error // nil: sleep

	mu        sync.Mutex
	conflicts int // consecutive 409s
}

// backoff is exponential: base, 2·base, 4·base… up to max.
type backoff struct{ base, max time.Duration }

func (b backoff) after(attempt int) time.Duration {
	d := b.base
	for range attempt {
		d *= 2
		if d >= b.max {
			return b.max
		}
	}
	return min(d, b.max)
}

// envelope is the Bot API's response wrapper.
type envelope struct {
	OK          *bool  `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// wait waits d or until ctx is done.
func (c *apiClient) wait(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	return bot.Sleep(ctx, d)
}

// Do sends req, retrying as the file comment says.
func (c *apiClient) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	method := path.Base(req.URL.Path)
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: read request: %w", method, stripURL(err))
		}
		body = b
	}
	timeout := c.requestTimeout
	if method == "getUpdates" {
		timeout += c.pollTimeout
	}
	for attempt := 0; ; attempt++ {
		resp, data, err := c.once(ctx, req, body, timeout)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var env envelope
		kind := ""
		wait := c.backoff.after(attempt)
		switch {
		case err != nil:
			kind = "network"
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				kind = "timeout"
			}
		case json.Unmarshal(data, &env) != nil || env.OK == nil:
			kind = "malformed"
			if resp.StatusCode >= 500 {
				kind = "server_error"
			} else if resp.StatusCode/100 == 2 && !strings.HasPrefix(method, "get") {
				c.platformError(kind)
				c.log.Warn("telegram: bot api answered 200 with a malformed body; not retried, as Telegram carried the request out",
					"method", method, "bytes", len(data))
				return nil, fmt.Errorf("%s: %w", method, errUnreadable)
			}
		case resp.StatusCode == http.StatusTooManyRequests || env.ErrorCode == http.StatusTooManyRequests:
			kind = "rate_limited"
			wait = time.Duration(env.Parameters.RetryAfter) * time.Second
			if wait <= 0 {
				wait = c.backoff.after(attempt)
			}
		case resp.StatusCode >= 500 || env.ErrorCode >= 500:
			kind = "server_error"
		case resp.StatusCode == http.StatusConflict || env.ErrorCode == http.StatusConflict:
			return c.conflict(ctx, method, env.Description, resp, data)
		}
		if kind == "" {
			c.mu.Lock()
			c.conflicts = 0
			c.mu.Unlock()
			return response(resp, data), nil
		}
		c.platformError(kind)
		retry := attempt < c.maxRetries && wait <= c.maxRetryAfter
		c.log.Warn("telegram: bot api request failed",
			"method", method, "error", kind, "detail", detail(err, env, resp),
			"attempt", attempt+1, "retry", retry, "retry_in", wait.String())
		if !retry {
			if err != nil {
				return nil, fmt.Errorf("%s: %w", method, err)
			}
			return response(resp, data), nil
		}
		if err := c.wait(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// once sends one attempt and reads the whole body.
func (c *apiClient) once(ctx context.Context, req *http.Request, body []byte, timeout time.Duration) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := req.Clone(ctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	resp, err := c.http.Do(r)
	if err != nil {
		return nil, nil, stripURL(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, nil, stripURL(err)
	}
	return resp, data, nil
}

// conflict handles 409 on getUpdates: another poller, or a webhook set.
func (c *apiClient) conflict(ctx context.Context, method, desc string, resp *http.Response, data []byte) (*http.Response, error) {
	c.mu.Lock()
	n := c.conflicts
	c.conflicts++
	c.mu.Unlock()
	wait := c.backoff.after(n + 3)
	c.platformError("conflict")
	c.log.Error("telegram: another process is using this bot token (409 Conflict); is a second storybot polling, or a webhook set? backing off",
		"method", method, "detail", desc, "retry_in", wait.String())
	if err := c.wait(ctx, wait); err != nil {
		return nil, err
	}
	return response(resp, data), nil
}

// response returns resp with its body replaced by data, already read.
func response(resp *http.Response, data []byte) *http.Response {
	r := *resp
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.ContentLength = int64(len(data))
	return &r
}

// detail says briefly what went wrong, with no URL in it.
func detail(err error, env envelope, resp *http.Response) string {
	switch {
	case err != nil:
		return err.Error()
	case env.Description != "":
		return env.Description
	case resp != nil:
		return resp.Status
	}
	return ""
}

// stripURL drops the request URL, which holds the token, from a client error.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// apiError is a Bot API response with ok false.
type apiError struct {
	Method      string
	Code        int
	Description string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s: %s (%d)", e.Method, e.Description, e.Code)
}

// call sends one Bot API request with form values, outside the library,
// through the same retrying client, and decodes its result into result
// (unless nil). It is used for getUpdates, whose library loop confirms
// updates too early (see poll.go). A response with ok false is an
// *apiError.
func (c *apiClient) call(ctx context.Context, base, token, method string, v url.Values, result any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/bot"+token+"/"+method,
		bytes.NewReader([]byte(v.Encode())))
	if err != nil {
		return fmt.Errorf("%s: %w", method, stripURL(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var env struct {
		envelope
		Result json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.OK == nil {
		return fmt.Errorf("%s: malformed response", method)
	}
	if !*env.OK {
		code := env.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		return &apiError{Method: method, Code: code, Description: env.Description}
	}
	if result != nil {
		if err := json.Unmarshal(env.Result, result); err != nil {
			return fmt.Errorf("%s: malformed result: %w", method, err)
		}
	}
	return nil
}
