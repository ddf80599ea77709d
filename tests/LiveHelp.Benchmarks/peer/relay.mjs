// The benchmark's peer: a minimal Socket.IO relay for two-party rooms, the way one is usually written.
// node relay.mjs --port 5000 [--redis redis://127.0.0.1:6379]
//   join(room, ack?)  the socket joins that room (one room per socket); ack() once it has
//   msg(payload)      relayed as msg(payload) to the others in the socket's room
// With --redis, several of these processes share their rooms through @socket.io/redis-adapter.
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    redis: { type: "string" },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node relay.mjs --port PORT [--redis redis://HOST:PORT]");
  process.exit(2);
}

let adapter;
if (values.redis) {
  const pubClient = createClient({ url: values.redis });
  const subClient = pubClient.duplicate();
  for (const client of [pubClient, subClient]) {
    client.on("error", (error) => console.error(`redis: ${error.message}`));
  }
  await Promise.all([pubClient.connect(), subClient.connect()]);
  adapter = createAdapter(pubClient, subClient);
}

const httpServer = createServer();
const io = new Server(httpServer, {
  transports: ["websocket"],
  serveClient: false,
  ...(adapter ? { adapter } : {}),
});

io.on("connection", (socket) => {
  let room;
  socket.on("join", async (name, ack) => {
    if (typeof name !== "string" || room !== undefined) {
      return;
    }
    room = name;
    await socket.join(room);
    if (typeof ack === "function") {
      ack();
    }
  });
  socket.on("msg", (payload) => {
    if (room !== undefined) {
      socket.to(room).emit("msg", payload);
    }
  });
});

httpServer.listen(port, "127.0.0.1", () => {
  console.log(`listening ${port}`);
});
