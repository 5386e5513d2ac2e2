using System.Runtime.InteropServices;

namespace Gateway.Interop.Tests.Lab;

/// <summary>Runs code on a thread that entered a lab namespace: sockets made there stay in that namespace.</summary>
public static class NetNs
{
    private const int CloneNewNet = 0x40000000;

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    public static T Run<T>(string ns, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(Path.Combine("/var/run/netns", ns));
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new LabException($"setns into {ns} failed: errno {Marshal.GetLastPInvokeError()}");
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join(); // the thread (and its namespace) ends here
        if (failure is not null)
            throw new LabException($"in namespace {ns}: {failure.Message}", failure);
        return result;
    }
}
