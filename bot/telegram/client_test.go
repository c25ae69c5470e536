package telegram

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// reply is one scripted Bot API response.
type reply struct {
	status int
	body   string
}

var (
	okReply        = reply{200, `{"ok":true,"result":true}`}
	badGateway     = reply{502, `<html>Bad Gateway</html>`}
	malformedReply = reply{200, `{"ok":tr`}
)

func tooMany(seconds string) reply {
	return reply{429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after ` + seconds +
		`","parameters":{"retry_after":` + seconds + `}}`}
}

// scriptedAPI answers each request with the next reply of its script, then
// with okReply, and counts the requests.
func scriptedAPI(t *testing.T, script ...reply) (url string, calls func() int) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		r1 := okReply
		if n < len(script) {
			r1 = script[n]
		}
		n++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(r1.status)
		io.WriteString(w, r1.body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// testClient returns an apiClient that records its waits instead of
// sleeping.
func testClient(waits *[]time.Duration, kinds *[]string) *apiClient {
	return &apiClient{
		http:           &http.Client{},
		requestTimeout: 5 * time.Second,
		maxRetries:     3,
		maxRetryAfter:  time.Minute,
		backoff:        backoff{100 * time.Millisecond, 300 * time.Millisecond},
		log:            slog.New(slog.DiscardHandler),
		platformError:  func(kind string) { *kinds = append(*kinds, kind) },
		sleep: func(ctx context.Context, d time.Duration) error {
			*waits = append(*waits, d)
			return ctx.Err()
		},
	}
}

// TestClientRetries checks what the client waits before each retry and
// when it stops retrying and hands the failure to the library.
func TestClientRetries(t *testing.T) {
	tests := []struct {
		name      string
		method    string // default sendMessage
		script    []reply
		calls     int
		status    int // of the response the library gets
		waits     []time.Duration
		kinds     []string
		maxRetryA time.Duration
	}{
		{"429 waits retry_after", "", []reply{tooMany("7")}, 2, 200,
			[]time.Duration{7 * time.Second}, []string{"rate_limited"}, 0},
		{"429 longer than max_retry_after is not waited out", "", []reply{tooMany("120")}, 1, 429,
			nil, []string{"rate_limited"}, 0},
		{"max_retry_after is configurable", "", []reply{tooMany("120")}, 2, 200,
			[]time.Duration{2 * time.Minute}, []string{"rate_limited"}, time.Hour},
		{"5xx backs off exponentially, up to its cap", "", []reply{badGateway, badGateway, badGateway}, 4, 200,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond},
			[]string{"server_error", "server_error", "server_error"}, 0},
		{"retries are bounded", "", []reply{badGateway, badGateway, badGateway, badGateway, badGateway}, 4, 502,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond},
			[]string{"server_error", "server_error", "server_error", "server_error"}, 0},
		{"a 200 with malformed JSON is not retried: Telegram sent it", "", []reply{malformedReply}, 1, 0,
			nil, []string{"malformed"}, 0},
		{"a read answered 200 with malformed JSON is retried", "getUpdates", []reply{malformedReply}, 2, 200,
			[]time.Duration{100 * time.Millisecond}, []string{"malformed"}, 0},
		{"a plain error is not retried", "", []reply{{400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`}}, 1, 400,
			nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, calls := scriptedAPI(t, tt.script...)
			var waits []time.Duration
			var kinds []string
			c := testClient(&waits, &kinds)
			if tt.maxRetryA != 0 {
				c.maxRetryAfter = tt.maxRetryA
			}
			method := tt.method
			if method == "" {
				method = "sendMessage"
			}
			req, _ := http.NewRequest(http.MethodPost, url+"/bot123:secret/"+method, strings.NewReader("chat_id=1&text=hi"))
			resp, err := c.Do(req)
			switch {
			case tt.status == 0 && !errors.Is(err, errUnreadable):
				t.Errorf("Do = %v, want errUnreadable", err)
			case tt.status == 0:
			case err != nil:
				t.Fatalf("Do: %v", err)
			default:
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != tt.status {
					t.Errorf("status %d (%s), want %d", resp.StatusCode, body, tt.status)
				}
			}
			if n := calls(); n != tt.calls {
				t.Errorf("%d requests, want %d", n, tt.calls)
			}
			if !slices.Equal(waits, tt.waits) {
				t.Errorf("waited %v, want %v", waits, tt.waits)
			}
			if !slices.Equal(kinds, tt.kinds) {
				t.Errorf("platform errors %v, want %v", kinds, tt.kinds)
			}
		})
	}
}

// TestClientRetryResendsBody checks a retried request carries its whole
// body again.
func TestClientRetryResendsBody(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		first := len(bodies) == 1
		mu.Unlock()
		if first {
			w.WriteHeader(502)
			return
		}
		io.WriteString(w, okReply.body)
	}))
	defer srv.Close()
	var waits []time.Duration
	var kinds []string
	c := testClient(&waits, &kinds)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/bot1:x/sendMessage", strings.NewReader("chat_id=1&text=hello"))
	if _, err := c.Do(req); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 || bodies[0] != bodies[1] || bodies[1] != "chat_id=1&text=hello" {
		t.Errorf("bodies sent %q, want the same body twice", bodies)
	}
}

// TestClientWaitEndsWithContext checks that a retry_after wait ends when
// the request's context does (shutdown), with the context's error.
func TestClientWaitEndsWithContext(t *testing.T) {
	url, calls := scriptedAPI(t, tooMany("3600"))
	c := testClient(new([]time.Duration), new([]string))
	c.sleep = nil // really wait
	c.maxRetryAfter = 2 * time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/bot1:x/sendMessage", nil)
	done := make(chan error, 1)
	go func() {
		_, err := c.Do(req)
		done <- err
	}()
	waitFor(t, func() bool { return calls() == 1 })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Do = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the retry_after wait did not end with the context")
	}
	if n := calls(); n != 1 {
		t.Errorf("%d requests, want 1: a cancelled wait must not retry", n)
	}
}

// TestClientTimeout checks a request that gets no answer within the
// request timeout is counted as a timeout and sent again.
func TestClientTimeout(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first {
			<-release // hang: answer nothing until the test ends
			return
		}
		io.WriteString(w, okReply.body)
	}))
	defer srv.Close()
	defer close(release)
	var waits []time.Duration
	var kinds []string
	c := testClient(&waits, &kinds)
	c.requestTimeout = 200 * time.Millisecond
	c.maxRetries = 10 // a busy machine may time out a retry too
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/bot1:x/getMe", nil)
	resp, err := c.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Do = %v, %v; want the retry's 200", resp, err)
	}
	if len(kinds) == 0 || kinds[0] != "timeout" {
		t.Errorf("platform errors %v, want a timeout first", kinds)
	}
}
