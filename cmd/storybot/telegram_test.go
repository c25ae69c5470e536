package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/storybot/storybot/bot/telegram/telegramtest"
)

const e2eToken = "4242:e2e-SECRET-token-value"

func tokenEnv(token string) func(string) string {
	return func(k string) string {
		if k == "STORYBOT_TELEGRAM_TOKEN" {
			return token
		}
		return ""
	}
}

// TestRunTelegram drives `storybot run` end to end against a fake Bot API:
// a config file, the token from the environment, the embedded articles, a
// question answered with a quote and its source, /healthz and /metrics,
// an API failure on the way, and SIGTERM.
func TestRunTelegram(t *testing.T) {
	fake := telegramtest.New(t, e2eToken)
	base, logs, stop := startRun(t, fmt.Sprintf("[telegram]\nenabled = true\napi_url = %q\npoll_timeout = \"2s\"\n", fake.URL),
		tokenEnv(e2eToken))

	logs.waitJSON(t, "telegram: connected")
	if code, body := httpGet(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz once connected = %d %q, want 200", code, body)
	}

	fake.Fail("sendMessage", telegramtest.Dropped) // retried, answered once
	_, id := fake.AddMessage(telegramtest.Message{UserID: 77, Text: "Who is the Kremlin spokesman?"})
	sent := fake.WaitSent(t, 1)
	r := sent[0]
	if r.ChatID != 77 || r.ReplyTo != id || r.ParseMode != "HTML" {
		t.Errorf("reply %+v, want an HTML reply to message %d", r, id)
	}
	var quote, source string
	for _, e := range r.Entities {
		switch e.Type {
		case "blockquote":
			quote = telegramtest.Slice(r.Plain, e.Offset, e.Length)
		case "bold":
			source = telegramtest.Slice(r.Plain, e.Offset, e.Length)
		}
	}
	if !strings.Contains(quote, "Peskov") || source == "" {
		t.Errorf("reply %q: quote %q, source %q; want a quote naming Peskov and its source", r.Plain, quote, source)
	}

	_, body := httpGet(t, base+"/metrics")
	for _, want := range []string{
		`storybot_questions_total{outcome="answered",platform="telegram"} 1`,
		`storybot_platform_errors_total{kind="network",platform="telegram"} 1`,
		`storybot_question_duration_seconds_count{platform="telegram"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	if code := stop(); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	if len(fake.Sent()) != 1 {
		t.Errorf("%d messages sent, want 1", len(fake.Sent()))
	}
	out := logs.String()
	if strings.Contains(out, e2eToken) || strings.Contains(out, "e2e-SECRET") {
		t.Errorf("the token is in the log:\n%s", out)
	}
	if !strings.Contains(out, `"msg":"storybot: stopped"`) {
		t.Errorf("no clean stop in the log:\n%s", out)
	}
}

// TestRunTelegramRejectedToken: a token the Bot API refuses makes run
// print one clear line, without the token, and exit 1.
func TestRunTelegramRejectedToken(t *testing.T) {
	fake := telegramtest.New(t, e2eToken)
	path := t.TempDir() + "/c.toml"
	writeRunFile(t, path, fmt.Sprintf("[log]\nlevel = \"warn\"\n[telegram]\nenabled = true\napi_url = %q\n", fake.URL))
	wrong := "4242:wrong-SECRET-token"
	code, stderr := runOnce(t, path, tokenEnv(wrong))
	want := "storybot: telegram: the Bot API rejected the token: check STORYBOT_TELEGRAM_TOKEN\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", code, stderr, want)
	}
	if strings.Contains(stderr, "wrong-SECRET") {
		t.Errorf("the token is in the output: %q", stderr)
	}
}

func writeRunFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRunTelegramTokenWithLineBreak: the token as a mounted secret file or a
// CRLF env file gives it, with a line break at the end, works: the bot
// connects and answers, and the token is nowhere in the log. It used to
// stop at once with the token printed in full, quoted in the URL parse error.
func TestRunTelegramTokenWithLineBreak(t *testing.T) {
	for _, tc := range []struct{ name, token string }{
		{"a newline after it", e2eToken + "\n"},
		{"CRLF after it", e2eToken + "\r\n"},
		{"a tab before it and a space and CR after it", "\t" + e2eToken + " \r"},
	} {
		token := tc.token
		fake := telegramtest.New(t, e2eToken)
		path := t.TempDir() + "/c.toml"
		writeRunFile(t, path, fmt.Sprintf("[log]\nformat = \"json\"\n[telegram]\nenabled = true\napi_url = %q\npoll_timeout = \"2s\"\n", fake.URL))
		logs := newLineBuffer()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"run", "--config", path}, env{stdout: io.Discard, stderr: logs, getenv: tokenEnv(token)})
		}()
		shown := func() string { return strings.ReplaceAll(logs.String(), "e2e-SECRET", "<token>") }
		connected := false
		for !connected {
			logs.mu.Lock()
			text, changed := logs.buf.String(), logs.changed
			logs.mu.Unlock()
			connected = strings.Contains(text, `"msg":"telegram: connected"`)
			if connected {
				break
			}
			select {
			case <-changed:
			case code := <-done:
				cancel()
				t.Fatalf("token with %s: storybot run exited %d before connecting; token in the output: %v\n%s",
					tc.name, code, strings.Contains(logs.String(), "e2e-SECRET"), shown())
			case <-time.After(30 * time.Second):
				cancel()
				t.Fatalf("storybot run never connected:\n%s", shown())
			}
		}
		fake.AddMessage(telegramtest.Message{UserID: 5, Text: "Who is the Kremlin spokesman?"})
		fake.WaitSent(t, 1)
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit %d after SIGTERM, want 0:\n%s", code, shown())
		}
		if strings.Contains(logs.String(), "e2e-SECRET") {
			t.Errorf("the token is in the log:\n%s", shown())
		}
	}
}

// TestRunTelegramZeroMeansDefault: a number set to 0 in [telegram] takes
// storybot's default, which only DefaultConfig holds: the adapter is
// handed it (it has none of its own, and would refuse 0 workers).
func TestRunTelegramZeroMeansDefault(t *testing.T) {
	fake := telegramtest.New(t, e2eToken)
	_, logs, stop := startRun(t, fmt.Sprintf("[telegram]\nenabled = true\napi_url = %q\npoll_timeout = \"2s\"\n"+
		"mode = \"\"\nworkers = 0\nqueue = 0\nrequest_timeout = \"0s\"\nmax_retry_after = \"0s\"\n", fake.URL), tokenEnv(e2eToken))
	m := logs.waitJSON(t, "telegram: connected")
	def := DefaultConfig().Telegram
	if m["mode"] != "polling" || m["workers"] != float64(def.Workers) || m["queue"] != float64(def.Queue) {
		t.Errorf("connected with %v; want polling with the default %d workers and queue %d", m, def.Workers, def.Queue)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
}

func TestTelegramAdapterFromConfig(t *testing.T) {
	svc, log := builderArgs(t)
	cfg := DefaultConfig()
	cfg.Telegram.Enabled, cfg.Telegram.Token = true, "1:x"
	cfg.Telegram.Mode = "carrier-pigeon"
	if _, err := telegramAdapter(cfg, svc, log); err == nil || !strings.Contains(err.Error(), "want polling or webhook") {
		t.Errorf("unknown mode: err = %v", err)
	}
	cfg.Telegram.Mode = "webhook"
	cfg.Telegram.WebhookURL = "https://bot.example.com/h"
	if _, err := telegramAdapter(cfg, svc, log); err == nil || !strings.Contains(err.Error(), "STORYBOT_TELEGRAM_WEBHOOK_SECRET") {
		t.Errorf("webhook without a secret: err = %v, want it to name the variable", err)
	}
	cfg.Telegram.WebhookSecret = "s3cret"
	a, err := telegramAdapter(cfg, svc, log)
	if err != nil || a == nil || a.Name() != "telegram" {
		t.Errorf("webhook with a secret: got %v, %v; want the telegram adapter", a, err)
	}
}
