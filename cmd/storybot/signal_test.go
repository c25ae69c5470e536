package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/storybot/storybot/bot/telegram/telegramtest"
)

// beMain, set in a child's environment, makes the test binary run main
// with the arguments after "--", so a test can signal a real process.
const beMain = "STORYBOT_TEST_BE_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(beMain) == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"storybot"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// child is `storybot run` running as a process of its own, with its log
// read line by line.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string
	exited chan error
	log    []string
}

// startChild runs `storybot run` with config as its file and the Telegram
// token in the environment.
func startChild(t *testing.T, config string) *child {
	t.Helper()
	path := filepath.Join(t.TempDir(), "storybot.toml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "run", "--config", path)
	cmd.Env = append(os.Environ(), beMain+"=1", "STORYBOT_TELEGRAM_TOKEN="+e2eToken)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, cmd: cmd, lines: make(chan string, 100), exited: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
		c.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		for range c.lines {
		}
	})
	return c
}

// waitLine waits for a log line holding want.
func (c *child) waitLine(want string) {
	c.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("storybot exited before logging %q:\n%s", want, strings.Join(c.log, "\n"))
			}
			c.log = append(c.log, l)
			if strings.Contains(l, want) {
				return
			}
		case <-deadline:
			c.cmd.Process.Kill()
			c.t.Fatalf("no %q in the log:\n%s", want, strings.Join(c.log, "\n"))
		}
	}
}

// signal sends sig to the process.
func (c *child) signal(sig os.Signal) {
	c.t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		c.t.Fatal(err)
	}
}

// wait waits for the process to exit, reading the rest of its log, and
// returns what Wait said.
func (c *child) wait(after string) error {
	c.t.Helper()
	deadline := time.After(30 * time.Second)
	lines := c.lines
	for {
		select {
		case l, ok := <-lines:
			if ok {
				c.log = append(c.log, l)
				continue
			}
			lines = nil // closed: the exit comes next
		case err := <-c.exited:
			return err
		case <-deadline:
			c.cmd.Process.Kill()
			c.t.Fatalf("storybot did not exit after %s:\n%s", after, strings.Join(c.log, "\n"))
		}
	}
}

func (c *child) logText() string { return strings.Join(c.log, "\n") }

// TestSIGTERM runs `storybot run` as a process against a fake Bot API,
// answers a question, sends the process SIGTERM and expects a clean stop:
// exit 0, a "stopped" line, the answer sent once.
func TestSIGTERM(t *testing.T) {
	fake := telegramtest.New(t, e2eToken)
	c := startChild(t, fmt.Sprintf("[log]\nformat = \"json\"\n[telegram]\nenabled = true\napi_url = %q\npoll_timeout = \"2s\"\n", fake.URL))
	c.waitLine("telegram: connected")
	fake.AddMessage(telegramtest.Message{UserID: 31, Text: "Who is the Kremlin spokesman?"})
	fake.WaitSent(t, 1)

	c.signal(syscall.SIGTERM)
	c.waitLine("storybot: stopped")
	if err := c.wait("SIGTERM"); err != nil {
		t.Errorf("storybot exited with %v after SIGTERM, want 0:\n%s", err, c.logText())
	}
	if n := len(fake.Sent()); n != 1 {
		t.Errorf("%d answers sent, want 1", n)
	}
	if strings.Contains(c.logText(), e2eToken) {
		t.Errorf("the token is in the log:\n%s", c.logText())
	}
}

// TestSIGHUP: SIGHUP (a closed terminal, or kill -HUP meant as a reload)
// does not stop the bots: it reloads the articles, the next question is
// answered from the new ones, and SIGTERM still stops cleanly. It used to
// kill the process at once, losing what was in flight.
func TestSIGHUP(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("keeper.txt", "The lighthouse keeper is Miriam Okafor, the harbour office said on Monday.\n")
	fake := telegramtest.New(t, e2eToken)
	c := startChild(t, fmt.Sprintf("corpus = %q\n[log]\nformat = \"json\"\n[telegram]\nenabled = true\napi_url = %q\npoll_timeout = \"2s\"\n", dir, fake.URL))
	c.waitLine("telegram: connected")
	write("master.txt", "The harbour master is Tomasz Wierzbicki, who took the post in June.\n")
	c.signal(syscall.SIGHUP)
	c.waitLine("SIGHUP: reloading the articles")
	c.waitLine(`"reason":"SIGHUP"`)
	fake.AddMessage(telegramtest.Message{UserID: 31, Text: "who is the harbour master?"})
	fake.WaitSent(t, 1)
	if sent := fake.Sent(); !strings.Contains(sent[0].Plain, "Tomasz Wierzbicki") {
		t.Errorf("after SIGHUP answered %q, want the new article's sentence", sent[0].Plain)
	}
	c.signal(syscall.SIGHUP)
	c.waitLine("SIGHUP: reloading the articles")
	fake.AddMessage(telegramtest.Message{UserID: 32, Text: "who keeps the lighthouse?"})
	fake.WaitSent(t, 2)
	c.signal(syscall.SIGTERM)
	c.waitLine("storybot: stopped")
	if err := c.wait("SIGTERM"); err != nil {
		t.Errorf("storybot exited with %v after SIGHUP twice and SIGTERM, want 0:\n%s", err, c.logText())
	}
}

// TestSecondSignal: while storybot waits on an answer the Bot API never
// takes (drain_timeout ten minutes), a second SIGTERM or SIGINT exits at
// once, non-zero, with a line saying so. It used to be ignored.
func TestSecondSignal(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		fake := telegramtest.New(t, e2eToken)
		fake.Fail("sendMessage", telegramtest.Hang)
		c := startChild(t, fmt.Sprintf("[log]\nformat = \"json\"\n[telegram]\nenabled = true\napi_url = %q\npoll_timeout = \"2s\"\n"+
			"request_timeout = \"10m\"\ndrain_timeout = \"10m\"\nmax_retries = 1\n", fake.URL))
		c.waitLine("telegram: connected")
		fake.AddMessage(telegramtest.Message{UserID: 31, Text: "Who is the Kremlin spokesman?"})
		fake.Wait(t, "the answer sent and held", func() bool { return fake.Calls("sendMessage") > 0 })

		c.signal(tc.sig)
		c.waitLine("storybot: stopping")
		c.signal(tc.sig)
		c.waitLine("storybot: second signal: exiting at once")
		err := c.wait("a second " + tc.sig.String())
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != tc.code {
			t.Errorf("after a second %v: %v, want exit status %d:\n%s", tc.sig, err, tc.code, c.logText())
		}
	}
}

// TestSignalRouterOtherCommands: outside `storybot run`, SIGHUP (the
// terminal closed) stops the command like SIGTERM, and a second signal
// exits at once with a plain line on stderr.
func TestSignalRouterOtherCommands(t *testing.T) {
	var stderr strings.Builder
	cancelled, exited := 0, -1
	r := newSignalRouter(func() { cancelled++ }, func(code int) { exited = code }, &stderr)
	r.handle(syscall.SIGHUP)
	if cancelled != 1 || exited != -1 || stderr.Len() != 0 {
		t.Errorf("SIGHUP: cancelled %d times, exit %d, stderr %q; want one quiet cancel", cancelled, exited, stderr.String())
	}
	r.handle(os.Interrupt)
	want := "storybot: second signal: exiting at once, without finishing what is in flight [signal=SIGINT] [exit_code=130]\n"
	if exited != 130 || stderr.String() != want {
		t.Errorf("second signal: exit %d, stderr %q; want 130, %q", exited, stderr.String(), want)
	}
	var none *signalRouter
	none.keepOnHangup() // in-process runs have no router
	none.setLogger(nil)
}
