package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/discord"
	"github.com/storybot/storybot/bot/telegram"
	"github.com/storybot/storybot/seeds"
)

// Config is the whole of storybot's settings. DefaultConfig gives every
// default; config.example.toml mirrors it; a TOML file overrides it; the
// environment overrides the file for secrets.
type Config struct {
	Corpus   string         `toml:"corpus"` // folder of .txt articles; empty: the embedded seeds
	Bot      BotConfig      `toml:"bot"`
	Log      LogConfig      `toml:"log"`
	HTTP     HTTPConfig     `toml:"http"`
	Telegram TelegramConfig `toml:"telegram"`
	Discord  DiscordConfig  `toml:"discord"`
}

// BotConfig holds what every platform shares.
type BotConfig struct {
	Topic       string        `toml:"topic"`
	MaxQuestion int           `toml:"max_question"`
	MaxAnswers  int           `toml:"max_answers"`
	FloodBurst  int           `toml:"flood_burst"`
	FloodEvery  time.Duration `toml:"flood_every"`
}

// LogConfig selects the log level and format.
type LogConfig struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // text or json
}

// HTTPConfig is the optional /healthz and /metrics listener.
type HTTPConfig struct {
	Listen string `toml:"listen"` // empty: off
}

// TelegramConfig configures the Telegram adapter (see package telegram).
type TelegramConfig struct {
	Enabled               bool          `toml:"enabled"`
	Token                 string        `toml:"token"` // prefer STORYBOT_TELEGRAM_TOKEN
	APIURL                string        `toml:"api_url"`
	Mode                  string        `toml:"mode"` // polling or webhook
	PollTimeout           time.Duration `toml:"poll_timeout"`
	WebhookListen         string        `toml:"webhook_listen"`
	WebhookURL            string        `toml:"webhook_url"`
	WebhookSecret         string        `toml:"webhook_secret"` // prefer STORYBOT_TELEGRAM_WEBHOOK_SECRET
	WebhookMaxConnections int           `toml:"webhook_max_connections"`
	StateFile             string        `toml:"state_file"` // polling offset kept across restarts
	Workers               int           `toml:"workers"`
	Queue                 int           `toml:"queue"` // updates held at once, queued or being answered
	RequestTimeout        time.Duration `toml:"request_timeout"`
	MaxRetries            int           `toml:"max_retries"`
	MaxRetryAfter         time.Duration `toml:"max_retry_after"`
	DrainTimeout          time.Duration `toml:"drain_timeout"`
	TypingAfter           time.Duration `toml:"typing_after"` // negative: never
}

// DiscordConfig configures the Discord adapter.
type DiscordConfig struct {
	Enabled       bool          `toml:"enabled"`
	Token         string        `toml:"token"` // prefer STORYBOT_DISCORD_TOKEN
	APIURL        string        `toml:"api_url"`
	GuildIDs      []string      `toml:"guild_ids"`
	ShardID       int           `toml:"shard_id"`
	ShardCount    int           `toml:"shard_count"`
	Workers       int           `toml:"workers"`
	Queue         int           `toml:"queue"` // questions held at once, queued or being answered
	MaxRetryAfter time.Duration `toml:"max_retry_after"`
	DrainTimeout  time.Duration `toml:"drain_timeout"`
}

// DefaultConfig returns the settings storybot uses when a file says nothing.
// It is the one place they are given: the adapters keep no defaults of
// their own, and are handed every setting from here (see withDefaults).
func DefaultConfig() Config {
	return Config{
		Bot: BotConfig{
			MaxQuestion: bot.DefaultMaxQuestion,
			MaxAnswers:  bot.DefaultMaxAnswers,
			FloodBurst:  5,
			FloodEvery:  10 * time.Second,
		},
		Log: LogConfig{Level: "info", Format: "text"},
		Telegram: TelegramConfig{
			APIURL:                telegram.DefaultAPIURL,
			Mode:                  "polling",
			PollTimeout:           30 * time.Second,
			WebhookListen:         ":8443",
			WebhookMaxConnections: 40,
			Workers:               8,
			Queue:                 256,
			RequestTimeout:        30 * time.Second,
			MaxRetries:            5,
			MaxRetryAfter:         60 * time.Second,
			DrainTimeout:          20 * time.Second,
			TypingAfter:           time.Second,
		},
		Discord: DiscordConfig{
			APIURL:        discord.DefaultAPIURL,
			ShardCount:    1,
			Workers:       8,
			Queue:         256,
			MaxRetryAfter: 60 * time.Second,
			DrainTimeout:  20 * time.Second,
		},
	}
}

// LoadConfig reads path over DefaultConfig, then applies the environment
// (getenv) for secrets. An empty path means defaults only. It reads only a
// regular file of at most maxConfigSize bytes, and gives up when ctx is
// done. Tokens and secrets, from the file or the environment, lose the
// white space around them (a secret mounted from a file ends in a newline,
// a CRLF env file adds \r); one with a control or invisible character left
// inside is refused, with an error that does not print it.
func LoadConfig(ctx context.Context, path string, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	if path != "" {
		data, err := readConfigFile(ctx, path)
		if err != nil {
			return cfg, err
		}
		md, err := toml.Decode(string(data), &cfg)
		if err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
		if un := md.Undecoded(); len(un) > 0 {
			return cfg, fmt.Errorf("config %s: unknown setting %q", path, un[0].String())
		}
	}
	for _, s := range []struct {
		env, key string
		value    *string
	}{
		{"STORYBOT_TELEGRAM_TOKEN", "[telegram] token", &cfg.Telegram.Token},
		{"STORYBOT_TELEGRAM_WEBHOOK_SECRET", "[telegram] webhook_secret", &cfg.Telegram.WebhookSecret},
		{"STORYBOT_DISCORD_TOKEN", "[discord] token", &cfg.Discord.Token},
	} {
		from := fmt.Sprintf("config %s: %s", path, s.key)
		if v := trimSecret(getenv(s.env)); v != "" {
			*s.value, from = v, s.env
		}
		*s.value = trimSecret(*s.value)
		if strings.IndexFunc(*s.value, unprintable) >= 0 {
			return cfg, fmt.Errorf("%s holds a control or invisible character inside it (the value is not printed): set it again without one", from)
		}
	}
	return cfg, nil
}

// trimSecret returns a token or secret without the white space (and byte
// order mark) around it.
func trimSecret(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' })
}

// unprintable reports whether r has no place in a token: a control or
// format character, or invalid UTF-8.
func unprintable(r rune) bool {
	return r == utf8.RuneError || !unicode.IsGraphic(r)
}

// maxConfigSize bounds what LoadConfig reads. A settings file is a few KB.
const maxConfigSize = 1 << 20

// readConfigFile returns the content of path, which must be a regular file
// no larger than maxConfigSize. A named pipe or a device (--config
// /dev/zero) is refused before it is read: a pipe would block the open
// until a writer came, deaf to SIGTERM, and a device may never end. When
// ctx is done first, it returns ctx's error.
func readConfigFile(ctx context.Context, path string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("config %s: not read: %w", path, err)
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("config %s: no such file", path)
	}
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if err := regularConfig(path, fi); err != nil {
		return nil, err
	}
	// O_NONBLOCK: should path become a pipe after the Stat, the open does not
	// wait for a writer and the check below refuses it. A regular file
	// reads as ever.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if fi, err = f.Stat(); err == nil {
		err = regularConfig(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		switch {
		case r.err != nil:
			return nil, fmt.Errorf("config %s: %w", path, r.err)
		case len(r.data) > maxConfigSize:
			return nil, fmt.Errorf("config %s: larger than %d KiB: a settings file is a few KB", path, maxConfigSize>>10)
		}
		return r.data, nil
	case <-ctx.Done():
		// The read goroutine closes the file when its read returns.
		return nil, fmt.Errorf("config %s: reading stopped: %w", path, ctx.Err())
	}
}

// regularConfig returns an error unless fi is a regular file of at most
// maxConfigSize bytes.
func regularConfig(path string, fi fs.FileInfo) error {
	m := fi.Mode()
	if !m.IsRegular() {
		what := "not a regular file"
		switch {
		case m.IsDir():
			what = "a folder, not a file"
		case m&fs.ModeNamedPipe != 0:
			what = "a named pipe, not a regular file"
		case m&fs.ModeSocket != 0:
			what = "a socket, not a regular file"
		case m&fs.ModeDevice != 0:
			what = "a device, not a regular file"
		}
		return fmt.Errorf("config %s: %s: storybot reads its settings from a file", path, what)
	}
	if fi.Size() > maxConfigSize {
		return fmt.Errorf("config %s: larger than %d KiB: a settings file is a few KB", path, maxConfigSize>>10)
	}
	return nil
}

// withDefaults returns v with every setting left at its zero value (0,
// "", false, no list) replaced by def's: in [telegram] and [discord], a
// number or duration set to 0, like one left out, means its default.
func withDefaults[T any](v, def T) T {
	rv, rd := reflect.ValueOf(&v).Elem(), reflect.ValueOf(def)
	for i := range rv.NumField() {
		if f := rv.Field(i); f.IsZero() {
			f.Set(rd.Field(i))
		}
	}
	return v
}

// Service returns the bot settings in the form package bot takes, for
// articles from corpus ("" for the built-in ones).
func (c BotConfig) Service(corpus string) bot.Config {
	return bot.Config{
		Topic:       topic(c.Topic, corpus),
		MaxQuestion: c.MaxQuestion,
		MaxAnswers:  c.MaxAnswers,
		Limit:       bot.LimitConfig{Burst: c.FloodBurst, Every: c.FloodEvery},
	}
}

// localBotConfig is the Service's settings for the commands that answer
// the person at the terminal or a script (the prompt, ask, eval): storybot's
// defaults, for articles from corpus, without flood control.
func localBotConfig(corpus string) bot.Config {
	c := DefaultConfig().Bot
	c.FloodBurst = 0
	return c.Service(corpus)
}

// topic returns what the articles are about: the configured topic, else
// the built-in articles' own when no corpus folder is given. Empty: the
// help texts speak of "the news story".
func topic(configured, corpus string) string {
	if configured == "" && corpus == "" {
		return seeds.Topic
	}
	return configured
}
