import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';

interface ToastMessage {
  id: number;
  text: string;
}

const ToastContext = createContext<(text: string) => void>(() => {});

let nextId = 1;

/** Short confirmations ("Clé révoquée") announced politely and shown for a few seconds. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [messages, setMessages] = useState<ToastMessage[]>([]);

  const notify = useCallback((text: string) => {
    const id = nextId++;
    setMessages((list) => [...list, { id, text }]);
    window.setTimeout(() => setMessages((list) => list.filter((m) => m.id !== id)), 5000);
  }, []);

  const value = useMemo(() => notify, [notify]);

  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite" data-testid="toasts">
        {messages.map((m) => (
          <div key={m.id} className="toast">
            {m.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): (text: string) => void {
  return useContext(ToastContext);
}
