package main

import (
	"bufio"
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

// TestSIGTERM runs `storybot run` as a process against a fake Bot API,
// answers a question, sends the process SIGTERM and expects a clean stop:
// exit 0, a "stopped" line, the answer sent once.
func TestSIGTERM(t *testing.T) {
	fake := telegramtest.New(t, e2eToken)
	path := filepath.Join(t.TempDir(), "storybot.toml")
	config := fmt.Sprintf("[log]\nformat = \"json\"\n[telegram]\nenabled = true\napi_url = %q\npoll_timeout = \"2s\"\n", fake.URL)
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
	exited := make(chan error, 1)
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	var log []string
	waitLine := func(want string) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("storybot exited before logging %q:\n%s", want, strings.Join(log, "\n"))
				}
				log = append(log, l)
				if strings.Contains(l, want) {
					return
				}
			case <-deadline:
				cmd.Process.Kill()
				t.Fatalf("no %q in the log:\n%s", want, strings.Join(log, "\n"))
			}
		}
	}
	waitLine("telegram: connected")
	fake.AddMessage(telegramtest.Message{UserID: 31, Text: "Who is the Kremlin spokesman?"})
	fake.WaitSent(t, 1)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitLine("storybot: stopped")
	for l := range lines {
		log = append(log, l)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("storybot exited with %v after SIGTERM, want 0:\n%s", err, strings.Join(log, "\n"))
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("storybot did not exit after SIGTERM")
	}
	if n := len(fake.Sent()); n != 1 {
		t.Errorf("%d answers sent, want 1", n)
	}
	if out := strings.Join(log, "\n"); strings.Contains(out, e2eToken) {
		t.Errorf("the token is in the log:\n%s", out)
	}
}
