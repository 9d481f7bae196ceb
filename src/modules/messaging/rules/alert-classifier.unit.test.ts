import { describe, expect, it } from 'vitest';
import { ALERT_CONTENT_RULES, classifyAlertContent, PROMOTIONAL_THRESHOLD } from './alert-classifier.ts';

const firedRules = (text: string) => classifyAlertContent(text).rules.map((rule) => rule.rule);

describe('classifyAlertContent — transactional texts pass (R-ALERT)', () => {
  it.each([
    'Votre code de vérification est 482913. Il expire dans 10 minutes.',
    'Your verification code is 482913. It expires in 10 minutes.',
    'SOFY : 739104 est votre code de connexion. Ne le communiquez à personne.',
    'Votre colis 6A1234 sera livré demain entre 8h et 12h.',
    'Your parcel 6A1234 will be delivered tomorrow between 8am and 12pm.',
    'Votre colis est disponible en point relais jusqu’au 12/04. Code de retrait : 4821.',
    'Votre code de retrait est 7731. Valable jusqu’à samedi 19h.',
    'Rappel : votre rendez-vous chez Dr Martin est demain à 14h30. Pour annuler, répondez ANNULER.',
    'Reminder: your appointment is tomorrow at 2:30 PM. Reply C to cancel.',
    'Intervention prévue le 14/04 entre 8h et 12h. Votre technicien : Karim.',
    'Nouvelle connexion à votre compte depuis un appareil Windows à Lyon. Si ce n’est pas vous, changez votre mot de passe.',
    'New sign-in to your account from Chrome on Windows. If this wasn’t you, reset your password.',
    'Votre mot de passe a été modifié. Si vous n’êtes pas à l’origine de ce changement, contactez-nous.',
    'Alerte : votre carte a été utilisée pour un achat de 120 € chez AMAZON.',
    'Votre paiement de 49,90 € a bien été reçu. Merci.',
    'Payment of €49.90 received. Thank you.',
    'Votre solde est de 120,50 €.',
    'Your account balance is low: $5.20 remaining.',
    'Votre commande est prête en magasin.',
    'Votre commande n° PROMO-2024-118 a été expédiée.',
    'Votre commande n°PROMO a été expédiée.',
    'Your order #SALE-5521 has shipped.',
    'Commande SOLDES2026X4 prête au retrait.',
    'Livraison gratuite de votre commande n°45821 : elle arrivera jeudi.',
    'Votre remise en main propre est prévue demain à 10h.',
    'Votre réservation au restaurant est confirmée pour 4 personnes ce soir à 20h.',
    'Votre abonnement a été renouvelé. Prochain prélèvement le 05/04.',
    'Votre ordonnance est prête à la pharmacie.',
    'Votre vol AF1234 est retardé de 45 minutes. Nouvel embarquement : 18h20.',
    'Batterie faible : votre compteur est à 15 %.',
    'Le service client est fermé le 1er mai.',
    'Contactez-nous au 0800 123 456 (appel gratuit).',
    'Your free trial ends in 3 days.',
    'Votre carte cadeau de 50 € a été activée.',
    'Votre débit est réduit : vous avez atteint 100 Go ce mois-ci.',
    'Résultats du concours d’entrée disponibles sur votre espace.',
    'Votre remboursement de 15 € a été effectué sur votre carte.',
    'Your table for 2 is confirmed for 8pm tonight.',
  ])('%j', (text) => {
    const result = classifyAlertContent(text);
    expect(result.promotional, JSON.stringify(result.rules)).toBe(false);
    expect(result.score).toBeLessThan(PROMOTIONAL_THRESHOLD);
  });

  it('explains a weak signal it let through', () => {
    expect(classifyAlertContent('Livraison gratuite de votre commande n°45821 : elle arrivera jeudi.')).toEqual({
      promotional: false,
      rules: [{ rule: 'free_offer', matched: ['gratuite'] }],
      score: 2,
    });
  });

  it('finds nothing at all in an OTP', () => {
    expect(classifyAlertContent('Votre code de vérification est 482913. Il expire dans 10 minutes.')).toEqual({ promotional: false, rules: [], score: 0 });
  });
});

describe('classifyAlertContent — promotional texts are refused (R-ALERT)', () => {
  it.each([
    ['SOLDES : jusqu’à -50 % sur toute la collection ! STOP SMS au 36111', ['discount', 'sale']],
    ['Profitez de -20% sur votre prochain achat avec le code PROMO20', ['discount', 'call_to_buy']],
    ['Code promo BIENVENUE : 10 € offerts dès 50 € d’achat', ['discount', 'promo_code', 'free_offer', 'price_claim']],
    ['Offre exclusive : livraison gratuite ce week-end seulement', ['free_offer', 'exclusive_offer', 'marketing_urgency']],
    ['BLACK FRIDAY : tout à -30% en magasin', ['discount', 'sale']],
    ['Ventes privées : accès en avant-première pour nos clients fidèles', ['sale', 'exclusive_offer']],
    ['Dernière chance ! Nos promos se terminent ce soir', ['sale', 'marketing_urgency']],
    ['2 pizzas achetées = la 3e offerte tous les mardis', ['bundle_offer', 'free_offer']],
    ['Réduction de 15 % sur votre vidange ce mois-ci', ['discount']],
    ['Déstockage massif : prix cassés sur l’électroménager', ['sale']],
    ['Nouvelle collection printemps : découvrez-la vite en boutique !', ['call_to_buy', 'new_products']],
    ['Profitez d’un cadeau offert pour tout achat ce week-end', ['free_offer', 'call_to_buy']],
    ['Happy hour : 2 cocktails achetés = 1 offert', ['bundle_offer', 'free_offer']],
    ['Votre magasin vous offre -10 % sur tout le rayon jardin', ['discount']],
    ['Bons plans de la semaine : prix choc sur les fruits', ['sale']],
    ['French Days : jusqu’à 200 € de remise immédiate', ['discount', 'sale']],
    ['Inscrivez-vous à notre newsletter et recevez un bon de réduction', ['promo_code']],
    ['Votre coupon de 5 € vous attend en caisse', ['promo_code']],
    ['Anniversaire : 15% de remise sur votre panier', ['discount']],
    ['Parrainez un ami et gagnez 20 € !', ['contest', 'call_to_buy']],
    ['Jeu concours : tentez de gagner un voyage à Bali !', ['contest']],
    ['Arrivage : les fraises sont là, à partir de 2,99 € la barquette', ['price_claim', 'new_products']],
    ['3 pour 2 sur tous les yaourts', ['bundle_offer']],
    ['Paiement en 3x sans frais : profitez-en jusqu’à dimanche', ['free_offer', 'call_to_buy']],
    ['FLASH SALE: 40% off everything, today only!', ['discount', 'sale', 'marketing_urgency']],
    ['Use promo code SPRING15 for 15% off your next order', ['discount', 'promo_code']],
    ['Black Friday deals are here. Shop now!', ['sale', 'call_to_buy']],
    ['Get a FREE gift with any purchase. Limited time offer!', ['free_offer', 'marketing_urgency']],
    ['Buy now and save $20 on your next purchase', ['discount', 'call_to_buy']],
    ['Exclusive offer for our members: 2 for 1 on all tickets', ['bundle_offer', 'exclusive_offer']],
    ['Last chance! Clearance ends tonight', ['sale', 'marketing_urgency']],
    ['Buy one get one free on all pizzas this weekend only', ['bundle_offer', 'free_offer', 'marketing_urgency']],
    ['New arrivals from just £19.99 — treat yourself', ['call_to_buy', 'price_claim', 'new_products']],
    ['Win a trip to Paris: enter our giveaway', ['contest']],
    ['Grand concours de l’été : un vélo à gagner !', ['contest']],
  ])('%j', (text, rules) => {
    const result = classifyAlertContent(text);
    expect(result.promotional).toBe(true);
    expect(result.score).toBeGreaterThanOrEqual(PROMOTIONAL_THRESHOLD);
    expect(result.rules.map((rule) => rule.rule)).toEqual(rules);
  });
});

describe('classifyAlertContent — explanations', () => {
  it('quotes the words of the original text, accents and case included', () => {
    expect(classifyAlertContent('RÉDUCTION de 15 % ! Profitez-en')).toEqual({
      promotional: true,
      rules: [
        { rule: 'discount', matched: ['RÉDUCTION de 15 %'] },
        { rule: 'call_to_buy', matched: ['Profitez-en'] },
      ],
      score: 5,
    });
  });

  it('lists each distinct phrase once per rule', () => {
    const result = classifyAlertContent('Promo ! Promo ! Soldes et promos');
    expect(result.rules).toEqual([{ rule: 'sale', matched: ['Promo', 'Soldes', 'promos'] }]);
    expect(result.score).toBe(3);
  });

  it('reads without accents, in any case, with typographic apostrophes, dashes and no-break spaces', () => {
    expect(firedRules('REDUCTION DE 15%')).toEqual(['discount']);
    expect(firedRules('jusqu’à\u00A0\u221250\u202F%')).toEqual(['discount']);
    expect(classifyAlertContent('Jusqu’à −50 %').rules[0]?.matched).toEqual(['Jusqu’à −50 %']);
    expect(firedRules('DÉSTOCKAGE')).toEqual(['sale']);
    expect(firedRules('Dernière Chance')).toEqual(['marketing_urgency']);
  });

  it('matches whole words only', () => {
    expect(firedRules('Promotionnel')).toEqual(['sale']);
    expect(firedRules('Le promoteur a signé.')).toEqual([]);
    expect(firedRules('Vos soldes de congés')).toEqual(['sale']);
    expect(firedRules('Votre solde de congés est de 12 jours.')).toEqual([]);
    expect(firedRules('Rendez-vous en salle 4.')).toEqual([]);
    expect(firedRules('Freestyle')).toEqual([]);
  });

  it('does not read a promotional word inside a reference', () => {
    expect(firedRules('Commande PROMO20X expédiée')).toEqual([]);
    expect(firedRules('Réf. SOLDES prête')).toEqual([]);
    expect(firedRules('Ticket #PROMO traité')).toEqual([]);
    // …but a quantity with its unit is no reference: "la 3e offerte" still counts.
    expect(firedRules('1 acheté = la 2e offerte')).toEqual(['bundle_offer', 'free_offer']);
  });

  it('does not count a plain amount, a time or a percentage without a discount word', () => {
    expect(firedRules('Prélèvement de 29,99 € le 05/04.')).toEqual([]);
    expect(firedRules('Votre batterie est à 20%.')).toEqual([]);
    expect(firedRules('Disponible à partir de 14h.')).toEqual([]);
    expect(firedRules('Remboursement de 30 € effectué.')).toEqual([]);
  });

  it('needs two weak rules to reach the threshold', () => {
    expect(classifyAlertContent('Profitez de votre nouveau forfait.')).toMatchObject({ promotional: false, score: 2 });
    expect(classifyAlertContent('Profitez de la livraison gratuite.')).toMatchObject({ promotional: true, score: 4 });
  });

  it('has stable, unique rule ids and weights of 2 or 3', () => {
    const ids = ALERT_CONTENT_RULES.map((rule) => rule.rule);
    expect(ids).toEqual([
      'discount',
      'promo_code',
      'sale',
      'bundle_offer',
      'contest',
      'free_offer',
      'exclusive_offer',
      'call_to_buy',
      'marketing_urgency',
      'price_claim',
      'new_products',
    ]);
    expect(PROMOTIONAL_THRESHOLD).toBe(3);
    for (const rule of ALERT_CONTENT_RULES) expect([2, 3]).toContain(rule.weight);
  });

  it('gives the same answer when called twice (no regex state carried over)', () => {
    const text = 'Soldes : -20 % !';
    expect(classifyAlertContent(text)).toEqual(classifyAlertContent(text));
  });
});
