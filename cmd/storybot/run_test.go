package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/storybot/storybot/bot"
)

// TestConfigExampleIsDefault checks config.example.toml sets every setting
// of Config, to its default.
func TestConfigExampleIsDefault(t *testing.T) {
	var got Config
	md, err := toml.DecodeFile("../../config.example.toml", &got)
	if err != nil {
		t.Fatal(err)
	}
	if un := md.Undecoded(); len(un) > 0 {
		t.Errorf("config.example.toml has unknown settings: %v", un)
	}
	var missing []string
	var walk func(reflect.Type, []string)
	walk = func(typ reflect.Type, key []string) {
		for f := range typ.Fields() {
			name := strings.Split(f.Tag.Get("toml"), ",")[0]
			if name == "" || name == "-" {
				continue
			}
			k := append(append([]string(nil), key...), name)
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Duration]() {
				walk(f.Type, k)
				continue
			}
			if !md.IsDefined(k...) {
				missing = append(missing, strings.Join(k, "."))
			}
		}
	}
	walk(reflect.TypeFor[Config](), nil)
	if len(missing) > 0 {
		t.Errorf("config.example.toml does not document %s", strings.Join(missing, ", "))
	}
	want := DefaultConfig()
	normalizeEmpty(reflect.ValueOf(&got).Elem())
	normalizeEmpty(reflect.ValueOf(&want).Elem())
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config.example.toml differs from DefaultConfig():\nfile:    %+v\ndefault: %+v", got, want)
	}
}

// normalizeEmpty sets empty slices to nil: TOML's [] and Go's nil mean the same.
func normalizeEmpty(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			normalizeEmpty(v.Field(i))
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
		}
	}
}

// TestConfigSecretsFromEnvironment: the environment's tokens and secret win
// over the file's keys (kept for local use), and the file's stand when the
// environment has none.
func TestConfigSecretsFromEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storybot.toml")
	file := "[telegram]\ntoken = \"file-tg\"\nwebhook_secret = \"file-secret\"\n[discord]\ntoken = \"file-dc\"\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"STORYBOT_TELEGRAM_TOKEN":          "env-tg",
		"STORYBOT_TELEGRAM_WEBHOOK_SECRET": "env-secret",
		"STORYBOT_DISCORD_TOKEN":           "env-dc",
	}
	cfg, err := LoadConfig(context.Background(), path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telegram.Token != "env-tg" || cfg.Telegram.WebhookSecret != "env-secret" || cfg.Discord.Token != "env-dc" {
		t.Errorf("with the environment set, the file won: telegram %q, secret %q, discord %q",
			cfg.Telegram.Token, cfg.Telegram.WebhookSecret, cfg.Discord.Token)
	}
	cfg, err = LoadConfig(context.Background(), path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telegram.Token != "file-tg" || cfg.Telegram.WebhookSecret != "file-secret" || cfg.Discord.Token != "file-dc" {
		t.Errorf("with no environment, the file's keys were lost: telegram %q, secret %q, discord %q",
			cfg.Telegram.Token, cfg.Telegram.WebhookSecret, cfg.Discord.Token)
	}
}

func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{{"run"}, {"run", "--config"}, {"run", "--config", "x.toml", "extra"}, {"run", "--nope"}} {
		var stderr bytes.Buffer
		code := run(context.Background(), args, env{stderr: &stderr, stdout: io.Discard, getenv: noEnv})
		if code != 2 {
			t.Errorf("storybot %s: exit %d, want 2; stderr %q", strings.Join(args, " "), code, stderr.String())
		}
	}
}

func TestRunConfigErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		file, want string
		token      bool
	}{
		{"", "enables no bot", false},
		{"[telegram]\nenabled = true\n", "telegram: no bot token: set STORYBOT_TELEGRAM_TOKEN", false},
		{"[log]\nlevel = \"loud\"\n", "level", false},
		{"[telegram]\nenabeld = true\n", "unknown setting", false},
		{"[telegram]\nenabled = true\nmode = \"webhook\"\nwebhook_url = \"https://x.example/h\"\n", "STORYBOT_TELEGRAM_WEBHOOK_SECRET", true},
	}
	for i, tc := range tests {
		path := filepath.Join(dir, "c.toml")
		if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
			t.Fatal(err)
		}
		getenv := noEnv
		if tc.token {
			getenv = func(k string) string {
				if k == "STORYBOT_TELEGRAM_TOKEN" {
					return "1:x"
				}
				return ""
			}
		}
		code, stderr := runOnce(t, path, getenv)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != 1 || !strings.Contains(lines[len(lines)-1], tc.want) || !strings.HasPrefix(lines[len(lines)-1], "storybot: ") {
			t.Errorf("case %d: exit %d, stderr %q; want 1 and one line with %q", i, code, stderr, tc.want)
		}
	}
	if code, stderr := runOnce(t, filepath.Join(dir, "missing.toml"), noEnv); code != 1 || !strings.Contains(stderr, "no such file") {
		t.Errorf("missing config: exit %d, %q", code, stderr)
	}
}

func noEnv(string) string { return "" }

// runOnce runs `storybot run --config path` to its end.
func runOnce(t testing.TB, path string, getenv func(string) string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := run(ctx, []string{"run", "--config", path}, env{stdout: io.Discard, stderr: &stderr, getenv: getenv})
	return code, stderr.String()
}

// stubAdapter is an Adapter the test steers: it becomes ready when told,
// fails at start when told, and records that it was cancelled.
type stubAdapter struct {
	name      string
	failWith  error
	ready     chan struct{} // closed: Ready
	asked     chan struct{} // closed when the question Run asks has its reply
	cancelled chan struct{} // closed when Run saw ctx done
	svc       *bot.Service
}

func (s *stubAdapter) Name() string { return s.name }

func (s *stubAdapter) Ready() bool {
	select {
	case <-s.ready:
		return true
	default:
		return false
	}
}

func (s *stubAdapter) Run(ctx context.Context) error {
	if s.failWith != nil {
		return s.failWith
	}
	s.svc.Ask(s.name, "u1", "Who is the Kremlin spokesman?")
	close(s.asked)
	<-ctx.Done()
	close(s.cancelled)
	return nil
}

func newStub(name string, fail error) *stubAdapter {
	return &stubAdapter{name: name, failWith: fail, ready: make(chan struct{}), asked: make(chan struct{}), cancelled: make(chan struct{})}
}

// withAdapters replaces adapterBuilders for one test.
func withAdapters(t *testing.T, stubs ...*stubAdapter) {
	old := adapterBuilders
	t.Cleanup(func() { adapterBuilders = old })
	adapterBuilders = nil
	for _, s := range stubs {
		adapterBuilders = append(adapterBuilders, func(_ Config, svc *bot.Service, _ *slog.Logger) (bot.Adapter, error) {
			s.svc = svc
			return s, nil
		})
	}
}

// lineBuffer collects what run writes to stderr and lets a test wait for
// a line.
type lineBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newLineBuffer() *lineBuffer { return &lineBuffer{changed: make(chan struct{})} }

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.changed)
	b.changed = make(chan struct{})
	return b.buf.Write(p)
}

func (b *lineBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitJSON waits for a JSON log line whose msg is msg and returns it. It
// fails at once when exited (if given) is closed: the run is over.
func (b *lineBuffer) waitJSON(t testing.TB, msg string, exited ...<-chan struct{}) map[string]any {
	t.Helper()
	var over <-chan struct{}
	if len(exited) > 0 {
		over = exited[0]
	}
	deadline := time.After(20 * time.Second)
	ended := false
	for {
		b.mu.Lock()
		text, ch := b.buf.String(), b.changed
		b.mu.Unlock()
		sc := bufio.NewScanner(strings.NewReader(text))
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == msg {
				return m
			}
		}
		if ended {
			t.Fatalf("storybot run ended without logging %q:\n%s", msg, text)
		}
		select {
		case <-ch:
		case <-over:
			ended = true
		case <-deadline:
			t.Fatalf("no log line %q in:\n%s", msg, text)
		}
	}
}

// startRun runs `storybot run` in the background with a config file and
// returns the listener's base URL, the log, and a stop function that
// cancels ctx (SIGTERM) and returns the exit code.
func startRun(t *testing.T, config string, getenv func(string) string) (base string, logs *lineBuffer, stop func() int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "storybot.toml")
	config = "[http]\nlisten = \"127.0.0.1:0\"\n[log]\nformat = \"json\"\nlevel = \"debug\"\n" + config
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	logs = newLineBuffer()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	exited := make(chan struct{})
	go func() {
		code := run(ctx, []string{"run", "--config", path}, env{stdout: io.Discard, stderr: logs, getenv: getenv})
		close(exited)
		done <- code
	}()
	stopped := false
	stop = func() int {
		t.Helper()
		stopped = true
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(30 * time.Second):
			t.Fatal("storybot run did not stop after SIGTERM")
			return -1
		}
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	l := logs.waitJSON(t, "http: listening", exited)
	return "http://" + l["addr"].(string), logs, stop
}

func httpGet(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestRunHealthMetricsShutdown drives the runner with stub adapters:
// /healthz waits for every adapter, /metrics counts questions, SIGTERM
// stops every adapter and exits 0.
func TestRunHealthMetricsShutdown(t *testing.T) {
	a, b := newStub("alpha", nil), newStub("beta", nil)
	withAdapters(t, a, b)
	base, logs, stop := startRun(t, "", noEnv)

	if code, body := httpGet(t, base+"/healthz"); code != 503 || !strings.Contains(body, "alpha, beta") {
		t.Errorf("/healthz before ready = %d %q, want 503 naming both", code, body)
	}
	close(a.ready)
	if code, body := httpGet(t, base+"/healthz"); code != 503 || strings.Contains(body, "alpha") {
		t.Errorf("/healthz with beta not ready = %d %q, want 503 naming beta", code, body)
	}
	close(b.ready)
	if code, body := httpGet(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz when ready = %d %q, want 200 ok", code, body)
	}
	logs.waitJSON(t, "storybot: running")
	// Both stubs asked one question as they started: once each has its
	// reply, the question is counted and timed.
	for _, s := range []*stubAdapter{a, b} {
		select {
		case <-s.asked:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s never got the reply to its question", s.name)
		}
	}
	_, body := httpGet(t, base+"/metrics")
	for _, want := range []string{
		`storybot_questions_total{outcome="answered",platform="alpha"} 1`,
		`storybot_questions_total{outcome="answered",platform="beta"} 1`,
		`storybot_question_duration_seconds_count{platform="alpha"} 1`,
		`storybot_question_duration_seconds_count{platform="beta"} 1`,
		"storybot_question_duration_seconds_bucket",
		"# TYPE storybot_questions_total counter",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, body)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0; log:\n%s", code, logs.String())
	}
	for _, s := range []*stubAdapter{a, b} {
		select {
		case <-s.cancelled:
		default:
			t.Errorf("%s was not stopped", s.name)
		}
	}
}

// TestRunAdapterFails: when one adapter cannot start, the others are
// cancelled and run exits 1 with that error on the last line.
func TestRunAdapterFails(t *testing.T) {
	ok := newStub("alpha", nil)
	bad := newStub("beta", errors.New("beta: the token was rejected"))
	withAdapters(t, ok, bad)
	path := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(path, []byte("[log]\nlevel = \"error\"\n"), 0o600)
	code, stderr := runOnce(t, path, noEnv)
	if code != 1 || strings.TrimSpace(stderr) != "storybot: beta: the token was rejected" {
		t.Errorf("exit %d, stderr %q; want 1 and the one error line", code, stderr)
	}
	select {
	case <-ok.cancelled:
	default:
		t.Error("the healthy adapter was not cancelled")
	}
}

// TestLoggerRedacts checks secrets never reach the log, in messages,
// string values, errors or other values, in both formats.
func TestLoggerRedacts(t *testing.T) {
	const token, secret = "123:very-secret-token", "hook-secret"
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		log, err := newLogger(LogConfig{Level: "debug", Format: format}, &buf, []string{token, secret, ""})
		if err != nil {
			t.Fatal(err)
		}
		log.Info("calling https://api.telegram.org/bot"+token+"/getMe",
			"url", "/bot"+token+"/x", "error", errors.New("post /bot"+token+": EOF"),
			"values", []string{secret}, "n", 3)
		log.With("secret", secret).WithGroup("g").Warn("w", "s", secret)
		out := buf.String()
		if strings.Contains(out, token) || strings.Contains(out, secret) {
			t.Errorf("%s log leaks a secret:\n%s", format, out)
		}
		if strings.Count(out, "\n") != 2 || !strings.Contains(out, "***") {
			t.Errorf("%s log = %q, want two lines with *** in place of secrets", format, out)
		}
	}
	if _, err := newLogger(LogConfig{Level: "info", Format: "xml"}, io.Discard, nil); err == nil {
		t.Error("format xml accepted")
	}
}
