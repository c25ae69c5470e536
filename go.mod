module github.com/storybot/storybot

go 1.26

require (
	github.com/BurntSushi/toml v1.6.0
	golang.org/x/time v0.16.0
)
