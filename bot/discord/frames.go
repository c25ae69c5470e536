package discord

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
)

// frameGuard is the gateway connection as the websocket library reads it.
//
// discordgo v0.29.0 (the latest release) decodes each gateway message into
// a *Event and uses it without a nil check, so a message holding JSON null
// panics its reader goroutine, which no handler can recover, and the
// process dies. The guard sits under the websocket library, on the
// plaintext side of TLS, and passes the server's bytes through unchanged
// but for the data messages discordgo cannot take: every gateway payload is
// a JSON object in a text frame (the adapter asks for no compression), so a
// message whose first frame is not a text frame starting with '{' is
// replaced by ignoredFrame, an opcode discordgo ignores, and the rest of
// its fragments dropped. Control frames (ping, pong, close) pass through,
// as do frames the websocket library rejects itself (masked, reserved
// bits), so it still closes on a protocol error.
type frameGuard struct {
	net.Conn
	in     *bufio.Reader
	onBad  func(size int64) // a message was replaced; size is its first frame's payload
	out    []byte           // bytes ready for Read; never written through
	buf    []byte           // a header line or a piece of payload
	hdr    [14]byte         // a frame header
	header bool             // the HTTP response to the upgrade has been read
	inLine bool             // in the middle of a header line longer than in's buffer
	left   int64            // payload bytes of the current frame still to read
	skip   bool             // the current frame's payload is dropped
	drop   bool             // the current data message is being dropped, up to its last frame
}

// ignoredFrame is an unfragmented text frame holding {"op":-1}: discordgo
// logs an unknown opcode and carries on, without touching the session's
// sequence number.
var ignoredFrame = append([]byte{0x81, 9}, `{"op":-1}`...)

func newFrameGuard(c net.Conn, onBad func(size int64)) *frameGuard {
	return &frameGuard{Conn: c, in: bufio.NewReaderSize(c, 4096), onBad: onBad, buf: make([]byte, 4096)}
}

// Read implements net.Conn.
func (g *frameGuard) Read(p []byte) (int, error) {
	for len(g.out) == 0 {
		if err := g.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, g.out)
	g.out = g.out[n:]
	return n, nil
}

// next reads the next piece of the stream into g.out (which may stay empty
// when a dropped payload was read).
func (g *frameGuard) next() error {
	switch {
	case !g.header:
		line, err := g.in.ReadSlice('\n')
		if len(line) > 0 {
			g.header = !g.inLine && string(line) == "\r\n"
			g.inLine = err == bufio.ErrBufferFull
			g.out = append(g.buf[:0], line...)
		}
		if err == bufio.ErrBufferFull {
			return nil
		}
		return err
	case g.left > 0:
		n, err := g.in.Read(g.buf[:min(g.left, int64(len(g.buf)))])
		g.left -= int64(n)
		if !g.skip {
			g.out = g.buf[:n]
		}
		return err
	}
	return g.frame()
}

// frame reads a frame header and decides what becomes of the frame.
func (g *frameGuard) frame() error {
	head := g.hdr[:2]
	if _, err := io.ReadFull(g.in, head); err != nil {
		return err
	}
	opcode, fin := head[0]&0x0f, head[0]&0x80 != 0
	checked := head[0]&0x70 == 0 && head[1]&0x80 == 0 // no reserved bits, not masked
	n := 2
	switch head[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if head[1]&0x80 != 0 {
		n += 4 // the masking key
	}
	head = g.hdr[:n]
	if _, err := io.ReadFull(g.in, head[2:]); err != nil {
		return err
	}
	size := int64(head[1] & 0x7f)
	switch size {
	case 126:
		size = int64(binary.BigEndian.Uint16(head[2:4]))
	case 127:
		size = int64(binary.BigEndian.Uint64(head[2:10]) & (1<<63 - 1))
	}
	g.left, g.skip = size, false
	switch {
	case opcode >= 8 || !checked: // control frame, or one the library rejects
	case opcode == 0: // continuation
		g.skip = g.drop
		g.drop = g.drop && !fin
	default: // a new data message
		g.drop = false
		ok := opcode == 1 && size > 0
		if ok {
			first, err := g.in.Peek(1)
			if err != nil {
				return err
			}
			ok = first[0] == '{'
		}
		if !ok {
			g.skip, g.drop = true, !fin
			g.out = ignoredFrame
			g.onBad(size)
			return nil
		}
	}
	if !g.skip {
		g.out = head
	}
	return nil
}
