package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/storybot/storybot/bot/discord/discordtest"
	"github.com/storybot/storybot/bot/telegram/telegramtest"
)

const discordToken = "discord-e2e-SECRET-token"

// envOf returns a getenv serving vars.
func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

const (
	discordChannel = "400000000000000001"
	discordGuild   = "300000000000000001"
)

var discordUser = discordtest.User{ID: "200000000000000001", Username: "alice"}

// askDiscord sends a question mentioning the bot and returns the reply.
func askDiscord(t *testing.T, fake *discordtest.Server, id, question string) discordtest.Message {
	t.Helper()
	fake.Dispatch(t, "MESSAGE_CREATE", discordtest.MessageCreate(id, discordChannel, discordGuild, discordUser,
		"<@"+fake.BotID+"> "+question, fake.Bot()))
	m := discordtest.DecodeMessage(t, fake.WaitRequest(t, discordtest.OK(discordtest.Send(discordChannel))))
	if m.Reference == nil || m.Reference.MessageID != id || !m.MentionsInert() {
		t.Errorf("reply %q: reference %+v, inert mentions %v; want an inert reply to %s", m.Text(), m.Reference, m.MentionsInert(), id)
	}
	return m
}

// TestRunDiscord drives `storybot run` end to end against a fake Discord
// whose address is the config's api_url: the token from the environment,
// commands registered, a mention and a slash command answered with a quote
// and its source from the embedded articles, /healthz and /metrics, a
// dropped gateway connection on the way, and SIGTERM.
func TestRunDiscord(t *testing.T) {
	fake := discordtest.New(t, discordtest.WithToken(discordToken))
	base, logs, stop := startRun(t, fmt.Sprintf("[discord]\nenabled = true\napi_url = %q\n", fake.URL()),
		envOf(map[string]string{"STORYBOT_DISCORD_TOKEN": discordToken}))

	fake.WaitRequest(t, discordtest.OK(discordtest.Commands(fake.AppID, "")))
	logs.waitJSON(t, "discord: connected")
	if code, body := httpGet(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz once connected = %d %q, want 200", code, body)
	}

	m := askDiscord(t, fake, "1001", "Who is the Kremlin spokesman?")
	if len(m.Embeds) == 0 || !strings.Contains(m.Embeds[0].Description, "Peskov") ||
		len(m.Embeds[0].Fields) == 0 || m.Embeds[0].Fields[0].Name != "Source" || m.Embeds[0].Fields[0].Value == "" {
		t.Errorf("reply %q: want a quote naming Peskov and its source", m.Text())
	}

	fake.Drop(t) // the bot resumes and goes on answering
	fake.Dispatch(t, "INTERACTION_CREATE", fake.SlashCommand("2001", "tok-2001", discordChannel, discordGuild, discordUser,
		"ask", map[string]string{"question": "Who is the Kremlin spokesman?"}))
	m = discordtest.DecodeMessage(t, fake.WaitRequest(t, discordtest.OK(discordtest.Callback("2001"))))
	if len(m.Embeds) == 0 || !strings.Contains(m.Embeds[0].Description, "Peskov") || !m.MentionsInert() {
		t.Errorf("/ask reply %q: want an inert quote naming Peskov", m.Text())
	}
	if n := len(fake.Frames(discordtest.OpResume)); n != 1 {
		t.Errorf("%d RESUMEs after the drop, want 1", n)
	}

	_, body := httpGet(t, base+"/metrics")
	if want := `storybot_questions_total{outcome="answered",platform="discord"} 2`; !strings.Contains(body, want) {
		t.Errorf("/metrics lacks %s", want)
	}

	if code := stop(); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	closes := fake.Frames(discordtest.OpClientClose)
	if len(closes) == 0 || closes[len(closes)-1].CloseCode != 1000 {
		t.Errorf("gateway close frames %+v; want the last to be a normal close (1000)", closes)
	}
	out := logs.String()
	if strings.Contains(out, discordToken) || strings.Contains(out, "e2e-SECRET") {
		t.Errorf("the token is in the log:\n%s", out)
	}
	if !strings.Contains(out, `"msg":"storybot: stopped"`) {
		t.Errorf("no clean stop in the log:\n%s", out)
	}
}

// TestRunDiscordAndTelegram: with both enabled, one process answers on both.
func TestRunDiscordAndTelegram(t *testing.T) {
	const tgToken = "4242:e2e-SECRET-token-value"
	dc := discordtest.New(t, discordtest.WithToken(discordToken))
	tg := telegramtest.New(t, tgToken)
	config := fmt.Sprintf("[discord]\nenabled = true\napi_url = %q\n[telegram]\nenabled = true\napi_url = %q\npoll_timeout = \"2s\"\n",
		dc.URL(), tg.URL)
	base, logs, stop := startRun(t, config, envOf(map[string]string{
		"STORYBOT_DISCORD_TOKEN": discordToken, "STORYBOT_TELEGRAM_TOKEN": tgToken,
	}))
	logs.waitJSON(t, "discord: connected")
	logs.waitJSON(t, "telegram: connected")

	m := askDiscord(t, dc, "1001", "Who is the Kremlin spokesman?")
	if len(m.Embeds) == 0 {
		t.Errorf("Discord reply %q has no quote", m.Text())
	}
	tg.AddMessage(telegramtest.Message{UserID: 77, Text: "Who is the Kremlin spokesman?"})
	if sent := tg.WaitSent(t, 1); !strings.Contains(sent[0].Plain, "Peskov") {
		t.Errorf("Telegram reply %q has no quote naming Peskov", sent[0].Plain)
	}
	if code, body := httpGet(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz with both connected = %d %q, want 200", code, body)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
}

// TestRunDiscordRejectedToken: a token the gateway refuses (close code
// 4004) makes run print one clear line, without the token, and exit 1,
// without trying to reconnect.
func TestRunDiscordRejectedToken(t *testing.T) {
	fake := discordtest.New(t, discordtest.WithToken(discordToken))
	path := t.TempDir() + "/c.toml"
	writeRunFile(t, path, fmt.Sprintf("[log]\nlevel = \"warn\"\n[discord]\nenabled = true\napi_url = %q\n", fake.URL()))
	wrong := "wrong-SECRET-discord-token"
	code, stderr := runOnce(t, path, envOf(map[string]string{"STORYBOT_DISCORD_TOKEN": wrong}))
	want := "storybot: discord: the bot token was rejected (gateway close code 4004): check STORYBOT_DISCORD_TOKEN\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", code, stderr, want)
	}
	if strings.Contains(stderr, "wrong-SECRET") {
		t.Errorf("the token is in the output: %q", stderr)
	}
	if n := fake.Connections(); n != 1 {
		t.Errorf("%d gateway connections, want 1", n)
	}
}

func TestDiscordAdapterFromConfig(t *testing.T) {
	svc, log := builderArgs(t)
	cfg := DefaultConfig()
	cfg.Discord.Enabled, cfg.Discord.Token = true, "t"
	cfg.Discord.ShardID, cfg.Discord.ShardCount = 2, 2
	if _, err := discordAdapter(cfg, svc, log); err == nil || !strings.Contains(err.Error(), "shard_id") {
		t.Errorf("shard 2 of 2: err = %v, want a shard error", err)
	}
	cfg.Discord.ShardID = 1
	a, err := discordAdapter(cfg, svc, log)
	if err != nil || a == nil || a.Name() != "discord" {
		t.Errorf("enabled with a token: got %v, %v; want the discord adapter", a, err)
	}
	// 0 means the default, which the adapter has none of: it is handed it.
	cfg.Discord.Workers, cfg.Discord.Queue, cfg.Discord.MaxRetryAfter = 0, 0, 0
	if a, err := discordAdapter(cfg, svc, log); err != nil || a == nil {
		t.Errorf("workers, queue and max_retry_after at 0: got %v, %v; want the defaults", a, err)
	}
	cfg.Discord.Workers = -1
	if _, err := discordAdapter(cfg, svc, log); err == nil || !strings.Contains(err.Error(), "workers") {
		t.Errorf("-1 workers: err = %v, want it refused", err)
	}
}
