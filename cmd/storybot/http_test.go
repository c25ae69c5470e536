package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/storybot/storybot/bot/bottest"
)

// startTestHTTP serves "ok" the way serve does, within lim, on a counted
// loopback listener.
func startTestHTTP(t *testing.T, lim httpLimits) (*bottest.CountingListener, string) {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &bottest.CountingListener{Listener: inner}
	srv := startHTTP(ln, lim, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	}), slog.New(slog.DiscardHandler))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return ln, inner.Addr().String()
}

// client is one raw keep-alive connection to the listener.
type client struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// A bound on the test, not on the server: every wait below is for
	// something the server does at once, or within its limits of a
	// fraction of a second.
	c.SetDeadline(time.Now().Add(60 * time.Second))
	return &client{t: t, conn: c, r: bufio.NewReader(c)}
}

func (c *client) send(req string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, req); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) response() *http.Response {
	c.t.Helper()
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.t.Fatalf("no response: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func (c *client) get() *http.Response {
	c.t.Helper()
	c.send("GET /healthz HTTP/1.1\r\nHost: storybot\r\n\r\n")
	return c.response()
}

// closedByServer reports whether the server closes the connection, waiting
// for it.
func (c *client) closedByServer() error {
	_, err := c.r.ReadByte()
	if errors.Is(err, io.EOF) {
		return nil
	}
	return fmt.Errorf("read = %v, want EOF", err)
}

// TestHTTPClosesIdleAndSlowClients: a keep-alive connection left idle and
// a request whose body never comes are closed by the server, and headers
// past the bound get 431. They used to stay open for ever (only
// ReadHeaderTimeout was set), and up to 1 MB of headers was read.
func TestHTTPClosesIdleAndSlowClients(t *testing.T) {
	lim := defaultHTTPLimits
	lim.idle, lim.read = 100*time.Millisecond, 300*time.Millisecond
	_, addr := startTestHTTP(t, lim)

	idle := dial(t, addr)
	if resp := idle.get(); resp.StatusCode != 200 {
		t.Fatalf("GET = %d", resp.StatusCode)
	}
	if err := idle.closedByServer(); err != nil {
		t.Errorf("idle keep-alive connection: %v", err)
	}

	slow := dial(t, addr)
	slow.send("GET /healthz HTTP/1.1\r\nHost: storybot\r\nContent-Length: 1000\r\n\r\nx")
	if resp := slow.response(); resp.StatusCode != 200 {
		t.Fatalf("GET with a body = %d", resp.StatusCode)
	}
	if err := slow.closedByServer(); err != nil {
		t.Errorf("connection with a body that never comes: %v", err)
	}

	big := dial(t, addr)
	big.send("GET /healthz HTTP/1.1\r\nHost: storybot\r\nX-Big: " + strings.Repeat("b", 64<<10) + "\r\n\r\n")
	if resp := big.response(); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("64 KiB of headers: %d, want 431", resp.StatusCode)
	}
}

// TestHTTPConnectionBound: with as many keep-alive connections open as the
// bound allows, a new connection is not accepted (it waits in the kernel's
// backlog, using no descriptor of storybot's) until one of them closes;
// then it is served. Without a bound every connection took a descriptor,
// and at the process's limit nothing new got through.
func TestHTTPConnectionBound(t *testing.T) {
	lim := defaultHTTPLimits
	lim.maxConns, lim.idle = 2, time.Hour
	ln, addr := startTestHTTP(t, lim)
	held := []*client{dial(t, addr), dial(t, addr)}
	for _, c := range held {
		if resp := c.get(); resp.StatusCode != 200 {
			t.Fatalf("GET = %d", resp.StatusCode)
		}
	}
	extra := dial(t, addr)
	extra.send("GET /healthz HTTP/1.1\r\nHost: storybot\r\n\r\n")
	// The server keeps serving the connections it holds meanwhile; an
	// unbounded one would have taken the extra connection by now.
	for range 3 {
		if resp := held[1].get(); resp.StatusCode != 200 {
			t.Fatalf("GET on a held connection = %d", resp.StatusCode)
		}
	}
	if accepted, open, _ := ln.Counts(); accepted != 2 || open != 2 {
		t.Errorf("with the bound of 2 reached: %d connections accepted, %d open; want 2 and 2", accepted, open)
	}
	held[0].conn.Close()
	if resp := extra.response(); resp.StatusCode != 200 {
		t.Errorf("the waiting connection got %d once a slot was free", resp.StatusCode)
	}
	if accepted, _, most := ln.Counts(); accepted != 3 || most > 2 {
		t.Errorf("%d connections accepted, at most %d open at once; want 3, at most 2", accepted, most)
	}
}
