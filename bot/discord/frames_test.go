package discord

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/storybot/storybot/bot/discord/discordtest"
)

// wsFrame encodes a server's websocket frame: unmasked unless mask is set.
func wsFrame(fin bool, opcode byte, payload []byte, mask bool) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	var m byte
	if mask {
		m = 0x80
	}
	out := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		out = append(out, m|byte(n))
	case n < 1<<16:
		out = append(out, m|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	default:
		out = append(out, m|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	if mask {
		out = append(out, 1, 2, 3, 4)
	}
	return append(out, payload...)
}

// readerConn is a net.Conn whose reads come from r, a few bytes at a time.
type readerConn struct {
	net.Conn
	r io.Reader
}

func (c readerConn) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), 7)]) }

// The guard passes the upgrade response, valid messages (fragmented or
// not, any length), control frames and frames the websocket library
// rejects itself unchanged, and replaces each data message that is not a
// text frame starting with '{' by one ignored frame, its other fragments
// dropped, even with a control frame between them.
func TestFrameGuard(t *testing.T) {
	header := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nX-Long: " + strings.Repeat("x", 5000) + "\r\n\r\n"
	long16 := []byte("{" + strings.Repeat(" ", 300) + "}")
	long64 := []byte("{" + strings.Repeat(" ", 70000) + "}")
	var in, want bytes.Buffer
	in.WriteString(header)
	want.WriteString(header)
	pass := func(f []byte) { in.Write(f); want.Write(f) }
	replaced := func(fs ...[]byte) {
		for _, f := range fs {
			in.Write(f)
		}
		want.Write(ignoredFrame)
	}
	pass(wsFrame(true, 1, []byte(`{"op":11}`), false))
	replaced(wsFrame(false, 1, []byte("nu"), false))
	pass(wsFrame(true, 9, []byte("ping"), false)) // between the fragments
	in.Write(wsFrame(true, 0, []byte("ll"), false))
	pass(wsFrame(false, 1, []byte("{"), false))
	pass(wsFrame(true, 0, []byte(`"op":11}`), false))
	replaced(wsFrame(true, 2, []byte("binary"), false))
	replaced(wsFrame(true, 1, nil, false))
	replaced(wsFrame(true, 1, []byte(" {}"), false))
	pass(wsFrame(true, 1, long16, false))
	pass(wsFrame(true, 1, long64, false))
	pass(wsFrame(true, 1, []byte("null"), true)) // masked: the library closes on it
	pass(wsFrame(true, 8, []byte{0x03, 0xe8}, false))

	bad := 0
	g := newFrameGuard(readerConn{r: bytes.NewReader(in.Bytes())}, func(int64) { bad++ })
	got, err := io.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("guard passed %d bytes, want %d; first difference at %d", len(got), want.Len(), firstDiff(got, want.Bytes()))
	}
	if bad != 4 {
		t.Errorf("%d messages replaced, want 4", bad)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A gateway message that is not a JSON object (null, which panics inside
// discordgo's reader; a binary frame; an empty one) is ignored, logged by
// size and counted, on the same connection; a valid message split into
// several frames still gets through.
func TestGatewayMessageNotAnObject(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	m := newMetrics()
	run := start(t, srv, counted(&answerer{answer: fixed(quote)}, m))
	srv.WaitSession(t)

	const ch = "400000000000000033"
	srv.SendFrame(t, websocket.TextMessage, []byte("null"))
	srv.SendFrame(t, websocket.TextMessage, []byte("null"+strings.Repeat(" ", 20000))) // several frames
	srv.SendFrame(t, websocket.BinaryMessage, []byte{0x78, 0x9c, 0xcb, 0x2b, 0xcd, 0xc9, 0x01, 0x00, 0x04, 0x5f, 0x01, 0xbc} /* zlib: null */)
	srv.SendFrame(t, websocket.TextMessage, nil)
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "33001", ch, strings.Repeat("why ", 5000))) // several frames
	if r := replyTo(t, srv, ch, "33001"); !strings.Contains(r.Content, "too long") {
		t.Errorf("long question got %q, want the length notice", r.Text())
	}
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "33002", ch, "who called?"))
	replyTo(t, srv, ch, "33002")
	m.waitCount(t, "bad_frame", 4)
	if n := srv.Connections(); n != 1 {
		t.Errorf("%d gateway connections, want the first one still", n)
	}
	if logs := run.logs.String(); !strings.Contains(logs, `not a JSON object ignored" bytes=4`) {
		t.Errorf("no log line of the null message by size:\n%s", logs)
	}
}

// connectProxy is an HTTP proxy on loopback that tunnels CONNECT requests
// and records their targets.
type connectProxy struct {
	*httptest.Server
	mu      sync.Mutex
	targets []string
}

func newConnectProxy(t *testing.T) *connectProxy {
	p := &connectProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		dst, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		p.mu.Lock()
		p.targets = append(p.targets, r.Host)
		p.mu.Unlock()
		c, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			dst.Close()
			return
		}
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() {
			io.Copy(dst, c)
			dst.Close()
		}()
		io.Copy(c, dst)
		c.Close()
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *connectProxy) Targets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.targets...)
}

// Against a Discord over TLS through an HTTP proxy, as in production: the
// gateway's TLS is the adapter's own, under the frame guard, and a null
// message is ignored there too.
func TestGatewayOverTLSThroughProxy(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithTLS())
	proxy := newConnectProxy(t)
	pu, _ := url.Parse(proxy.URL)
	m := newMetrics()
	start(t, srv, counted(&answerer{answer: fixed(quote)}, m), withTLS(srv.TLSConfig()), withProxy(pu))
	srv.WaitSession(t)

	const ch = "400000000000000034"
	srv.SendFrame(t, websocket.TextMessage, []byte("null"))
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "34001", ch, "who called?"))
	replyTo(t, srv, ch, "34001")
	m.waitCount(t, "bad_frame", 1)
	host := strings.TrimPrefix(srv.URL(), "https://")
	host = host[:strings.Index(host, "/")]
	targets := proxy.Targets()
	if len(targets) < 2 {
		t.Fatalf("proxy tunnelled %q, want the gateway and the REST API", targets)
	}
	for _, tg := range targets {
		if tg != host {
			t.Errorf("proxy tunnelled to %s, want only %s", tg, host)
		}
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("%d gateway connections, want 1", n)
	}
}
