// The seed guide's server ("Socket.io Real-time Notifications with Express.js"), set up as the
// guide sets it up, as the peer the lan-notify benchmark compares against. Everything below is
// the guide's code put together in one file; the only additions are marked "bench:".
//
//   node server.js [PORT]      (or PORT=... node server.js; 0 picks a free port)
//
// It prints "Server running on port N" once listening, as in the guide (with the real port).

const express = require("express");
const http = require("http");
const { Server } = require("socket.io");

const app = express();
const server = http.createServer(app);
const io = new Server(server, {
  cors: {
    origin: "http://localhost:3000",
    methods: ["GET", "POST"],
  },
});

// Serve static files
app.use(express.static("public"));

const NotificationTypes = {
  INFO: "info",
  SUCCESS: "success",
  WARNING: "warning",
  ERROR: "error",
  MESSAGE: "message",
  SYSTEM: "system",
};

// User Authentication & Tracking
const connectedUsers = new Map();
// Message Queue for Offline Users
const offlineMessages = new Map();

function sendNotification(userId, notification) {
  const socketId = connectedUsers.get(userId);

  if (socketId) {
    // User is online, send immediately
    io.to(socketId).emit("notification", notification);
  } else {
    // User is offline, queue message
    if (!offlineMessages.has(userId)) {
      offlineMessages.set(userId, []);
    }
    offlineMessages.get(userId).push(notification);
  }
}

io.on("connection", (socket) => {
  console.log(`User connected: ${socket.id}`);

  // Send welcome message
  socket.emit("welcome", "Welcome to the server!");

  // User authentication
  socket.on("authenticate", (userData) => {
    socket.userId = userData.userId;
    socket.username = userData.username;
    connectedUsers.set(userData.userId, socket.id);

    // Send queued offline messages
    const queuedMessages = offlineMessages.get(userData.userId) || [];
    queuedMessages.forEach((message) => {
      socket.emit("notification", message);
    });
    offlineMessages.delete(userData.userId);

    // Notify others of new user
    socket.broadcast.emit("user_online", {
      userId: userData.userId,
      username: userData.username,
    });
  });

  // Send notification to specific user (by userId, through the connectedUsers map)
  socket.on("send_notification", (data) => {
    sendNotification(data.userId, {
      message: data.message,
      type: data.type || NotificationTypes.MESSAGE,
      from: socket.userId,
      timestamp: new Date(),
    });
  });

  // bench: a trigger for "Send to all users (including sender)", the guide's io.emit, under the
  // event name lan-notify uses for the same thing (an admin's broadcast arrives as
  // global_notification there too).
  socket.on("broadcast", (data) => {
    io.emit("global_notification", {
      message: data.message,
      type: data.type || NotificationTypes.INFO,
      timestamp: new Date(),
    });
  });

  // Join user to room
  socket.on("join_room", (roomName) => {
    socket.join(roomName);
    socket.to(roomName).emit("notification", {
      message: `User ${socket.id} joined ${roomName}`,
      type: "info",
    });
  });

  // Send notification to room
  socket.on("room_message", (data) => {
    io.to(data.room).emit("room_notification", {
      message: data.message,
      sender: socket.id,
      room: data.room,
      timestamp: new Date(),
    });
  });

  // Leave room
  socket.on("leave_room", (roomName) => {
    socket.leave(roomName);
  });

  socket.on("error", (error) => {
    console.error("Socket error:", error);
  });

  // Handle disconnection
  socket.on("disconnect", () => {
    console.log(`User disconnected: ${socket.id}`);
    if (socket.userId) {
      connectedUsers.delete(socket.userId);
      socket.broadcast.emit("user_offline", {
        userId: socket.userId,
        username: socket.username,
      });
    }
  });
});

// bench: the port comes from the command line or PORT (the guide hard-codes 3000).
const port = Number(process.argv[2] ?? process.env.PORT ?? 3000);
server.listen(port, "127.0.0.1", () => {
  console.log(`Server running on port ${server.address().port}`);
});
