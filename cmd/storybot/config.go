package main

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/storybot/storybot/bot"
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
func DefaultConfig() Config {
	return Config{
		Bot: BotConfig{
			MaxQuestion: 500,
			MaxAnswers:  3,
			FloodBurst:  5,
			FloodEvery:  10 * time.Second,
		},
		Log: LogConfig{Level: "info", Format: "text"},
		Telegram: TelegramConfig{
			APIURL:                "https://api.telegram.org",
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
			APIURL:        "https://discord.com/api/v10",
			ShardCount:    1,
			Workers:       8,
			Queue:         256,
			MaxRetryAfter: 60 * time.Second,
			DrainTimeout:  20 * time.Second,
		},
	}
}

// LoadConfig reads path over DefaultConfig, then applies the environment
// (getenv) for secrets. An empty path means defaults only.
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	if path != "" {
		md, err := toml.DecodeFile(path, &cfg)
		if errors.Is(err, fs.ErrNotExist) {
			return cfg, fmt.Errorf("config %s: no such file", path)
		}
		if err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
		if un := md.Undecoded(); len(un) > 0 {
			return cfg, fmt.Errorf("config %s: unknown setting %q", path, un[0].String())
		}
	}
	if v := getenv("STORYBOT_TELEGRAM_TOKEN"); v != "" {
		cfg.Telegram.Token = v
	}
	if v := getenv("STORYBOT_TELEGRAM_WEBHOOK_SECRET"); v != "" {
		cfg.Telegram.WebhookSecret = v
	}
	if v := getenv("STORYBOT_DISCORD_TOKEN"); v != "" {
		cfg.Discord.Token = v
	}
	return cfg, nil
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

// topic returns what the articles are about: the configured topic, else
// the built-in articles' own when no corpus folder is given. Empty: the
// help texts speak of "the news story".
func topic(configured, corpus string) string {
	if configured == "" && corpus == "" {
		return seeds.Topic
	}
	return configured
}
