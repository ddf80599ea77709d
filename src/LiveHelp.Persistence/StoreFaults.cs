using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LiveHelp.Persistence;

/// <summary>
/// Tells a store that is out of reach for a moment (PostgreSQL restarting or failing over, a SQLite file busy) from a
/// real fault, so callers can answer "try again" instead of an error. The failed operation wrote nothing: each store
/// operation is one statement or one transaction.
/// </summary>
public static class StoreFaults
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // A server shutting down, crashed or starting up answers with these before its socket closes.
                case PostgresException p:
                    return p.IsTransient || p.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || p.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow;
                case NpgsqlException { IsTransient: true }:
                case SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked }:
                case TimeoutException or SocketException:
                    return true;
            }
        }
        return false;
    }
}
