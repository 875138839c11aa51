package main

import (
	"context"

	box "github.com/sagernet/sing-box"
)

// checkConfig builds the box without starting it, as `sing-box check` does.
func checkConfig(config *parsedConfig) error {
	ctx, cancel := context.WithCancel(newBoxContext())
	defer cancel()
	instance, err := box.New(box.Options{Context: ctx, Options: config.options})
	if err != nil {
		return err
	}
	return instance.Close()
}
