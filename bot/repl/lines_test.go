package repl

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestLines(t *testing.T) {
	long := strings.Repeat("é", 3000) // 6000 bytes: more than bufio's buffer
	for _, tc := range []struct {
		name  string
		in    string
		limit int
		want  []Line
	}{
		{"endings", "a\nb\r\n\nlast", 100, []Line{{Text: "a"}, {Text: "b"}, {Text: ""}, {Text: "last"}}},
		{"final newline", "a\n", 100, []Line{{Text: "a"}}},
		{"empty", "", 100, nil},
		{"cut", "abcdefgh\nxy\n", 5, []Line{{Text: "abcde", Long: true}, {Text: "xy"}}},
		{"exactly the limit", "abcde\r\n", 5, []Line{{Text: "abcde"}}},
		{"longer than the buffer", long + "\nz\n", 10000, []Line{{Text: long}, {Text: "z"}}},
		{"cut beyond the buffer", long + long + "\nz", 5000, []Line{{Text: (long + long)[:5000], Long: true}, {Text: "z"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []Line
			for l, err := range Lines(context.Background(), strings.NewReader(tc.in), tc.limit) {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				got = append(got, l)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d lines, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("line %d = {%.20q, %v}, want {%.20q, %v}", i, got[i].Text, got[i].Long, tc.want[i].Text, tc.want[i].Long)
				}
			}
		})
	}
}

func TestLinesReadError(t *testing.T) {
	boom := errors.New("boom")
	in := io.MultiReader(strings.NewReader("first\n"), iotest.ErrReader(boom))
	var texts []string
	var last error
	for l, err := range Lines(context.Background(), in, 100) {
		if err != nil {
			last = err
			break
		}
		texts = append(texts, l.Text)
	}
	if len(texts) != 1 || texts[0] != "first" || !errors.Is(last, boom) {
		t.Errorf("got lines %q and error %v, want [first] and boom", texts, last)
	}
}

func TestLinesStopEarly(t *testing.T) {
	pr, pw := io.Pipe()
	t.Cleanup(func() { pr.Close() })
	go func() { io.WriteString(pw, "one\ntwo\nthree\n") }()
	for l, err := range Lines(context.Background(), pr, 100) {
		if err != nil || l.Text != "one" {
			t.Fatalf("first line = %q, %v", l.Text, err)
		}
		break // the reading goroutine must not block the loop's exit
	}
}
