package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestConfigTrimsSecrets: a token or secret with white space around it (a
// secret mounted from a file ends in a newline, a CRLF env file adds \r) is
// used without it, from the environment and from the file.
func TestConfigTrimsSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storybot.toml")
	file := "[telegram]\ntoken = \"file-tg\\r\\n\"\nwebhook_secret = \" file-secret\\t\"\n[discord]\ntoken = \"\\ufeffBot file-dc\\n\"\n"
	writeRunFile(t, path, file)
	cfg, err := LoadConfig(context.Background(), path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telegram.Token != "file-tg" || cfg.Telegram.WebhookSecret != "file-secret" || cfg.Discord.Token != "Bot file-dc" {
		t.Errorf("from the file: telegram %q, secret %q, discord %q; want them trimmed",
			cfg.Telegram.Token, cfg.Telegram.WebhookSecret, cfg.Discord.Token)
	}
	env := map[string]string{
		"STORYBOT_TELEGRAM_TOKEN":          "env-tg\n",
		"STORYBOT_TELEGRAM_WEBHOOK_SECRET": "env-secret\r\n",
		"STORYBOT_DISCORD_TOKEN":           "\tenv-dc \r",
	}
	cfg, err = LoadConfig(context.Background(), path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telegram.Token != "env-tg" || cfg.Telegram.WebhookSecret != "env-secret" || cfg.Discord.Token != "env-dc" {
		t.Errorf("from the environment: telegram %q, secret %q, discord %q; want them trimmed",
			cfg.Telegram.Token, cfg.Telegram.WebhookSecret, cfg.Discord.Token)
	}
	// A variable holding only white space is as good as unset.
	cfg, err = LoadConfig(context.Background(), path, func(k string) string { return "\r\n" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telegram.Token != "file-tg" {
		t.Errorf("a blank STORYBOT_TELEGRAM_TOKEN replaced the file's token: %q", cfg.Telegram.Token)
	}
}

// TestRunRejectsTokenWithControlCharacter: a token with a control or
// invisible character inside cannot work and must not be printed: run
// exits 1 with one line naming where the token came from.
func TestRunRejectsTokenWithControlCharacter(t *testing.T) {
	dir := t.TempDir()
	const piece = "e2e-SECRET" // in every form of the tokens below
	for _, tc := range []struct{ file, env, value, from string }{
		{"[telegram]\nenabled = true\n", "STORYBOT_TELEGRAM_TOKEN", "4242:e2e-SECRET\x00-token", "STORYBOT_TELEGRAM_TOKEN"},
		{"[telegram]\nenabled = true\n", "STORYBOT_TELEGRAM_TOKEN", "4242:e2e-SECRET\n-token\n", "STORYBOT_TELEGRAM_TOKEN"},
		{"[telegram]\nenabled = true\n", "STORYBOT_TELEGRAM_TOKEN", "4242:e2e-SECRET\u200b-token", "STORYBOT_TELEGRAM_TOKEN"},
		{"[telegram]\nenabled = true\nmode = \"webhook\"\nwebhook_url = \"https://x.example/h\"\n", "STORYBOT_TELEGRAM_WEBHOOK_SECRET", "e2e-SECRET\x1b[0m", "STORYBOT_TELEGRAM_WEBHOOK_SECRET"},
		{"[discord]\nenabled = true\n", "STORYBOT_DISCORD_TOKEN", "Bot e2e-SECRET\r-token", "STORYBOT_DISCORD_TOKEN"},
		{"[telegram]\nenabled = true\ntoken = \"4242:e2e-SECRET\\u0007-token\"\n", "", "", "[telegram] token"},
	} {
		path := filepath.Join(dir, "c.toml")
		// Should the token get through, nothing may reach the internet.
		writeRunFile(t, path, strings.Replace(tc.file, "enabled = true\n", "enabled = true\napi_url = \"http://127.0.0.1:1\"\n", 1))
		getenv := func(k string) string {
			switch {
			case tc.env == "":
				return ""
			case k == tc.env:
				return tc.value
			case k == "STORYBOT_TELEGRAM_TOKEN":
				return "4242:good-token"
			}
			return ""
		}
		code, stderr := runOnce(t, path, getenv)
		if strings.Contains(stderr, piece) {
			t.Errorf("%s %+q: the token is in the output", tc.from, tc.value)
			continue
		}
		if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.from) ||
			!strings.Contains(stderr, "control or invisible character") {
			t.Errorf("%s %+q: exit %d, stderr %q; want 1 and one line saying %s holds a control character",
				tc.from, tc.value, code, stderr, tc.from)
		}
	}
}

// TestRunConfigNotRegular: a named pipe, a device or a folder given as
// --config is refused at once with one clear line. A pipe used to block the
// open until a writer came, deaf to SIGTERM, and /dev/zero was read until
// memory ran out.
func TestRunConfigNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.toml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
	for _, tc := range []struct{ path, want string }{
		{fifo, "a named pipe, not a regular file"},
		{"/dev/zero", "a device, not a regular file"},
		{dir, "a folder, not a file"},
	} {
		code, stderr, ok := runOnceUnblocking(t, tc.path, fifo)
		if !ok {
			t.Errorf("--config %s: storybot run did not return", tc.path)
			continue
		}
		want := "storybot: config " + tc.path + ": " + tc.want + ": storybot reads its settings from a file\n"
		if code != 1 || stderr != want {
			t.Errorf("--config %s: exit %d, stderr %q; want 1, %q", tc.path, code, stderr, want)
		}
	}
}

// runOnceUnblocking is runOnce that gives up when run does not return, and
// then opens fifo for writing to free a run stuck opening it.
func runOnceUnblocking(t *testing.T, path, fifo string) (code int, stderr string, returned bool) {
	t.Helper()
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, stderr := runOnce(t, path, noEnv)
		done <- result{code, stderr}
	}()
	select {
	case r := <-done:
		return r.code, r.stderr, true
	case <-time.After(20 * time.Second):
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		<-done
		return 0, "", false
	}
}

// TestConfigSizeBound: a settings file over 1 MiB is refused with a clear
// error rather than read whole; the sparse 8 GiB file here would otherwise
// take the machine's memory.
func TestConfigSizeBound(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int64{1<<20 + 1, 8 << 30} {
		path := filepath.Join(dir, "big.toml")
		if err := os.WriteFile(path, []byte("corpus = \"\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, size); err != nil {
			t.Skipf("cannot make a %d-byte sparse file: %v", size, err)
		}
		code, stderr := runOnce(t, path, noEnv)
		want := "storybot: config " + path + ": larger than 1024 KiB: a settings file is a few KB\n"
		if code != 1 || stderr != want {
			t.Errorf("%d-byte config: exit %d, stderr %.200q; want 1, %q", size, code, stderr, want)
		}
	}
	// Exactly at the bound is read.
	path := filepath.Join(dir, "full.toml")
	text := "corpus = \"\"\n"
	text += strings.Repeat("#", 1<<20-len(text)-1) + "\n"
	writeRunFile(t, path, text)
	if _, err := LoadConfig(context.Background(), path, noEnv); err != nil {
		t.Errorf("a config of exactly 1 MiB: %v", err)
	}
}

// TestConfigReadHonoursContext: a config read after SIGTERM (ctx done)
// stops with ctx's error instead of starting the bots.
func TestConfigReadHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.toml")
	writeRunFile(t, path, "[telegram]\nenabled = true\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LoadConfig(ctx, path, noEnv); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadConfig with ctx done = %v, want context.Canceled", err)
	}
}

// TestWithDefaults: every setting left at its zero value takes the
// default, and every other is kept, negative ones too ("never").
func TestWithDefaults(t *testing.T) {
	def := DefaultConfig()
	got := withDefaults(TelegramConfig{Enabled: true, Workers: 3, MaxRetries: -1, TypingAfter: -1}, def.Telegram)
	want := def.Telegram
	want.Enabled, want.Workers, want.MaxRetries, want.TypingAfter = true, 3, -1, -1
	if !reflect.DeepEqual(got, want) {
		t.Errorf("withDefaults(telegram) =\n%+v\nwant\n%+v", got, want)
	}
	d := withDefaults(DiscordConfig{ShardID: 0, GuildIDs: []string{"1"}}, def.Discord)
	if d.ShardCount != 1 || d.Workers != def.Discord.Workers || d.Queue != def.Discord.Queue ||
		d.DrainTimeout != def.Discord.DrainTimeout || !reflect.DeepEqual(d.GuildIDs, []string{"1"}) {
		t.Errorf("withDefaults(discord) = %+v", d)
	}
}
