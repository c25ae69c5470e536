package repl

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"iter"
)

// Line is one line of input.
type Line struct {
	Text string // the line without its ending (\n or \r\n), cut to the limit
	Long bool   // the line was longer than the limit; Text holds its start
}

// Lines returns the lines of in, each cut to limit bytes, for use in a
// range loop. The final line needs no line ending. Iteration ends at the end
// of in; a read error, or ctx being done, is yielded as the last error.
//
// in is read on a goroutine of its own, one line ahead of the loop, so the
// loop can stop when ctx is done even while a read is blocked. That read
// then still holds in until it returns.
func Lines(ctx context.Context, in io.Reader, limit int) iter.Seq2[Line, error] {
	return func(yield func(Line, error) bool) {
		type item struct {
			line Line
			err  error
		}
		ch := make(chan item)
		done := make(chan struct{})
		defer close(done)
		go func() {
			br := bufio.NewReader(in)
			for {
				l, err := readLine(br, limit)
				select {
				case ch <- item{l, err}:
				case <-done:
					return
				}
				if err != nil {
					return
				}
			}
		}()
		for {
			select {
			case <-ctx.Done():
				yield(Line{}, ctx.Err())
				return
			case it := <-ch:
				if errors.Is(it.err, io.EOF) {
					return
				}
				if !yield(it.line, it.err) || it.err != nil {
					return
				}
			}
		}
	}
}

// readLine reads one line from br, keeping at most limit bytes of it. It
// returns io.EOF only when there is no line left.
func readLine(br *bufio.Reader, limit int) (Line, error) {
	var (
		buf  []byte
		long bool
		read bool // any byte of this line read
	)
	for {
		chunk, err := br.ReadSlice('\n')
		read = read || len(chunk) > 0
		if err == nil { // the chunk ends the line
			chunk = bytes.TrimSuffix(bytes.TrimSuffix(chunk, []byte("\n")), []byte("\r"))
		}
		if keep := limit - len(buf); len(chunk) > keep {
			chunk, long = chunk[:max(keep, 0)], true
		}
		buf = append(buf, chunk...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && read:
			err = nil
		case err != nil:
			return Line{}, err
		}
		return Line{Text: string(bytes.TrimSuffix(buf, []byte("\r"))), Long: long}, nil
	}
}
