#!/usr/bin/env node
// The `steer` command. The project is TypeScript run as is: tsx compiles it on load.
import { register } from "tsx/esm/api";

register();
await import("../gpu-node/cli/main.ts");
